// Renders /api/openapi.json as a readable reference on /api/docs.
//
// Plain JavaScript with no dependencies and no build step, so the page works offline
// and under the server's Content-Security-Policy. Every piece of text from the document
// is inserted as text (never as HTML); descriptions understand a small, safe subset of
// Markdown: paragraphs, "- " lists, `code`, **bold** and [links](url).
'use strict';

(function () {
  const SPEC_URL = '/api/openapi.json';
  const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  const MAX_DEPTH = 4;  // nesting levels of object properties expanded inline
  // Runs of Chinese, Japanese or Korean characters, marked up with their own `lang`
  // so that screen readers switch voice and browsers pick a CJK font.
  const CJK = /[\u2E80-\u2FDF\u3000-\u303F\u3040-\u30FF\u3100-\u312F\u3190-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF]+/g;

  let spec = {};

  // ------------------------------------------------------------------ DOM helpers

  function text(s) {
    const frag = document.createDocumentFragment();
    const str = String(s);
    let last = 0;
    for (const m of str.matchAll(CJK)) {
      if (m.index > last) frag.append(str.slice(last, m.index));
      const span = document.createElement('span');
      span.lang = 'zh-Hans';
      span.textContent = m[0];
      frag.append(span);
      last = m.index + m[0].length;
    }
    if (last < str.length) frag.append(str.slice(last));
    return frag;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false || c === '') continue;
      node.append(typeof c === 'string' || typeof c === 'number' ? text(c) : c);
    }
    return node;
  }

  function code(s) { return el('code', null, String(s)); }

  function slug(s) { return String(s).replace(/[^A-Za-z0-9_-]+/g, '-'); }

  // Inline Markdown: `code`, **bold**, [text](url). Only relative, http(s) and
  // mailto links become anchors; anything else stays text.
  function inline(str) {
    const s = String(str);
    const frag = document.createDocumentFragment();
    const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
    let last = 0;
    for (const m of s.matchAll(re)) {
      if (m.index > last) frag.append(text(s.slice(last, m.index)));
      if (m[1] !== undefined) frag.append(code(m[1]));
      else if (m[2] !== undefined) frag.append(el('strong', null, inline(m[2])));
      else if (/^(https?:|mailto:|\/|#)/i.test(m[4])) frag.append(el('a', { href: m[4] }, m[3]));
      else frag.append(text(m[0]));
      last = m.index + m[0].length;
    }
    if (last < s.length) frag.append(text(s.slice(last)));
    return frag;
  }

  // Block Markdown: blank-line separated paragraphs and "- " bullet lists.
  function markdown(s) {
    const div = el('div', { class: 'desc' });
    if (!s) return div;
    for (const block of String(s).split(/\n\s*\n/)) {
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      if (!lines.length) continue;
      if (lines.every((l) => /^\s*[-*] /.test(l))) {
        div.append(el('ul', null, lines.map((l) => el('li', null, inline(l.replace(/^\s*[-*] /, ''))))));
      } else {
        div.append(el('p', null, inline(lines.join(' '))));
      }
    }
    return div;
  }

  // ------------------------------------------------------------------ references

  function pointer(ref) {
    if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
    let node = spec;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
      node = node[key];
    }
    return node;
  }

  // Follows $ref chains. Keywords beside a $ref (OpenAPI 3.1 allows `description`
  // and `summary` on references, JSON Schema 2020-12 allows any) override the target's.
  // Returns {value, name}: name is the component's name when the node was a reference.
  function resolve(node) {
    let name = null;
    let value = node;
    const overrides = [];
    for (let hops = 0; value && typeof value === 'object' && typeof value.$ref === 'string'; hops++) {
      if (hops > 20) break;
      const target = pointer(value.$ref);
      if (target === undefined) return { value: { description: 'Unresolved reference ' + value.$ref }, name: null };
      if (name === null) name = value.$ref.split('/').pop();
      const rest = Object.assign({}, value);
      delete rest.$ref;
      overrides.unshift(rest);
      value = target;
    }
    if (overrides.length) value = Object.assign({}, value, ...overrides);
    return { value: value || {}, name };
  }

  // An allOf schema flattened into one: properties and required lists are combined.
  function flatten(schema) {
    const s = resolve(schema).value;
    if (!Array.isArray(s.allOf)) return s;
    const out = Object.assign({}, s, { properties: Object.assign({}, s.properties), required: [...(s.required || [])] });
    delete out.allOf;
    for (const part of s.allOf) {
      const p = flatten(part);
      Object.assign(out.properties, p.properties || {});
      out.required.push(...(p.required || []));
      if (!out.type && p.type) out.type = p.type;
      if (out.additionalProperties === undefined && p.additionalProperties !== undefined) {
        out.additionalProperties = p.additionalProperties;
      }
    }
    return out;
  }

  function types(s) {
    if (Array.isArray(s.type)) return s.type;
    if (s.type) return [s.type];
    if (s.properties || s.allOf) return ['object'];
    if (s.items) return ['array'];
    return [];
  }

  // ------------------------------------------------------------------ schemas

  // A short type label such as "string (date-time)", "array of Region" or "string | null";
  // component names link to their entry under Schemas.
  function typeLabel(schema) {
    const { value, name } = resolve(schema);
    const s = flatten(value);
    const frag = document.createDocumentFragment();
    const alternatives = s.oneOf || s.anyOf;
    if (alternatives && !s.type) {
      alternatives.forEach((alt, i) => {
        if (i) frag.append(' | ');
        frag.append(typeLabel(alt));
      });
      return frag;
    }
    const ts = types(s);
    if (!ts.length) {
      frag.append(name ? schemaLink(name) : 'any');
      return frag;
    }
    ts.forEach((t, i) => {
      if (i) frag.append(' | ');
      if (t === 'array') {
        frag.append('array of ');
        frag.append(s.items ? typeLabel(s.items) : 'any');
      } else if (name && t !== 'null' && (t === 'object' || s.enum || s.pattern)) {
        frag.append(schemaLink(name));
      } else {
        frag.append(t + (s.format && t !== 'null' ? ' (' + s.format + ')' : ''));
      }
    });
    return frag;
  }

  function schemaLink(name) {
    const schemas = (spec.components && spec.components.schemas) || {};
    return name in schemas ? el('a', { href: '#schema-' + slug(name) }, name) : document.createTextNode(name);
  }

  function literal(v) { return typeof v === 'string' ? v : JSON.stringify(v); }

  // Facts about a schema worth a line: allowed values, lengths, ranges, pattern, default
  // and an example (left out with `noExample`, when the caller shows its own).
  function constraints(schema, noExample) {
    const s = flatten(schema);
    const out = [];
    const range = (lo, hi, what) => {
      if (lo !== undefined && hi !== undefined) out.push([what + ' ' + lo + ' to ' + hi]);
      else if (lo !== undefined) out.push([what + ' at least ' + lo]);
      else if (hi !== undefined) out.push([what + ' at most ' + hi]);
    };
    if (Array.isArray(s.enum)) out.push(['One of: ', s.enum.map((v, i) => [i ? ', ' : '', code(literal(v))])]);
    if (s.const !== undefined) out.push(['Always ', code(literal(s.const))]);
    range(s.minLength, s.maxLength, 'Length');
    range(s.minimum, s.maximum, 'From');
    range(s.minItems, s.maxItems, 'Items');
    if (s.pattern) out.push(['Pattern ', code(s.pattern)]);
    if (s.default !== undefined) out.push(['Default ', code(literal(s.default))]);
    if (!noExample && Array.isArray(s.examples) && s.examples.length && typeof s.examples[0] !== 'object') {
      out.push(['Example ', code(literal(s.examples[0]))]);
    }
    if (s.additionalProperties === false) out.push(['No other members allowed']);
    if (!out.length) return null;
    return el('p', { class: 'constraints' }, out.map((parts) => el('span', null, parts)));
  }

  // The members of an object schema (or of an array's items) as a nested list.
  function fields(schema, depth, seen) {
    const { value, name } = resolve(schema);
    if (name && seen.includes(name)) return el('p', { class: 'muted' }, 'Recursive: see ', schemaLink(name), '.');
    const trail = name ? seen.concat(name) : seen;
    const s = flatten(value);
    if (types(s).includes('array') && s.items) return fields(s.items, depth, trail);
    const props = s.properties || {};
    const keys = Object.keys(props);
    if (!keys.length) return null;
    if (depth >= MAX_DEPTH) return el('p', { class: 'muted' }, 'See ', name ? schemaLink(name) : 'the schema', '.');
    const required = new Set(s.required || []);
    return el('ul', { class: 'fields' }, keys.map((key) => {
      const prop = props[key];
      const p = flatten(prop);
      const nested = fields(prop, depth + 1, trail);
      return el('li', null,
        el('div', null,
          el('code', { class: 'field-name' }, key),
          el('span', { class: 'type' }, typeLabel(prop)),
          required.has(key) ? el('span', { class: 'badge required' }, 'required') : el('span', { class: 'badge' }, 'optional')),
        markdown(p.description),
        constraints(prop),
        nested);
    }));
  }

  // A schema in full: its type (when it has no members), description, constraints and members.
  function schemaBlock(schema) {
    const s = flatten(resolve(schema).value);
    const members = fields(schema, 0, []);
    return el('div', { class: 'schema-body' },
      members ? null : el('p', null, 'Type: ', el('span', { class: 'type' }, typeLabel(schema))),
      markdown(s.description),
      constraints(schema),
      members);
  }

  function example(media) {
    let value;
    if (media.example !== undefined) value = media.example;
    else if (media.examples && typeof media.examples === 'object') {
      const first = Object.values(media.examples)[0];
      if (first) value = resolve(first).value.value;
    }
    if (value === undefined) return null;
    const body = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    // Focusable, so that keyboard users can scroll a wide example.
    return el('details', null, el('summary', null, 'Example'), el('pre', { tabindex: 0 }, el('code', null, body)));
  }

  function content(contentMap, expand) {
    const frag = document.createDocumentFragment();
    for (const [type, media] of Object.entries(contentMap || {})) {
      const name = media.schema ? resolve(media.schema).name : null;
      frag.append(el('p', { class: 'media' }, 'Body ', code(type), name ? [': ', schemaLink(name)] : ''));
      if (media.schema) {
        const block = schemaBlock(media.schema);
        frag.append(expand ? block : el('details', null, el('summary', null, 'Fields of ' + (name || 'the body')), block));
      }
      const ex = example(media);
      if (ex) frag.append(ex);
    }
    return frag;
  }

  // ------------------------------------------------------------------ operations

  function parameters(list) {
    if (!list.length) return null;
    return el('ul', { class: 'fields' }, list.map((ref) => {
      const p = resolve(ref).value;
      return el('li', null,
        el('div', null,
          el('code', { class: 'field-name' }, p.name),
          el('span', { class: 'badge' }, 'in ' + p.in),
          el('span', { class: 'type' }, p.schema ? typeLabel(p.schema) : ''),
          p.required ? el('span', { class: 'badge required' }, 'required') : el('span', { class: 'badge' }, 'optional')),
        markdown(p.description),
        p.schema ? constraints(p.schema, p.example !== undefined) : null,
        p.example !== undefined ? el('p', { class: 'constraints' }, 'Example ', code(literal(p.example))) : null);
    }));
  }

  function headers(map) {
    const keys = Object.keys(map || {});
    if (!keys.length) return null;
    return el('div', null, el('p', { class: 'media' }, 'Headers'),
      el('ul', { class: 'fields' }, keys.map((key) => {
        const h = resolve(map[key]).value;
        return el('li', null,
          el('div', null, el('code', { class: 'field-name' }, key),
            el('span', { class: 'type' }, h.schema ? typeLabel(h.schema) : '')),
          markdown(h.description),
          h.schema ? constraints(h.schema) : null);
      })));
  }

  function statusClass(status) {
    return /^[1-5]/.test(status) ? 's' + status[0] : 'sd';
  }

  function responses(map) {
    return el('ul', { class: 'responses' }, Object.entries(map || {}).map(([status, ref]) => {
      const r = resolve(ref).value;
      const success = /^[23]/.test(status);
      const label = status === 'default' ? 'other' : status;
      const line = el('p', null, el('span', { class: 'status-code ' + statusClass(status) }, label), ' ', inline(r.description || ''));
      const details = [headers(r.headers), content(r.content, success)];
      if (success) return el('li', null, line, details);
      const hasMore = r.content || (r.headers && Object.keys(r.headers).length);
      return el('li', null, line,
        hasMore ? el('details', null, el('summary', null, 'Headers and body of ' + label), details) : null);
    }));
  }

  function security(op) {
    const reqs = op.security !== undefined ? op.security : spec.security;
    if (!reqs || !reqs.length || reqs.every((r) => !Object.keys(r).length)) {
      return el('p', { class: 'auth' }, 'Authentication: none, public.');
    }
    const schemes = (spec.components && spec.components.securitySchemes) || {};
    const names = reqs.map((r) => Object.keys(r).map((n) => {
      const s = schemes[n] || {};
      const kind = s.type === 'http' ? 'HTTP ' + (s.scheme || '') : (s.type || '');
      return [el('a', { href: '#security-' + slug(n) }, n), kind ? ' (' + kind.trim() + ')' : ''];
    }));
    return el('p', { class: 'auth' }, 'Authentication: ', names.map((n, i) => [i ? ' or ' : '', n]), '.');
  }

  function operation(path, method, op, pathItem) {
    const id = op.operationId ? slug(op.operationId) : slug(method + '-' + path);
    const params = (pathItem.parameters || []).concat(op.parameters || []);
    const body = op.requestBody ? resolve(op.requestBody).value : null;
    return el('article', { class: 'operation', id, 'aria-labelledby': id + '-h' },
      el('h3', { id: id + '-h' }, el('span', { class: 'method ' + method }, method.toUpperCase()),
        el('span', { class: 'path' }, path)),
      op.summary ? el('p', { class: 'summary' }, op.summary) : null,
      op.deprecated ? el('p', { class: 'error' }, 'Deprecated.') : null,
      markdown(op.description),
      security(op),
      params.length ? [el('h4', null, 'Parameters'), parameters(params)] : null,
      body ? [el('h4', null, 'Request body', body.required ? el('span', { class: 'badge required' }, 'required') : ''),
        markdown(body.description), content(body.content, true)] : null,
      el('h4', null, 'Responses'),
      responses(op.responses));
  }

  function collectOperations() {
    const byTag = new Map();
    for (const t of spec.tags || []) byTag.set(t.name, []);
    for (const [path, item] of Object.entries(spec.paths || {})) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const tags = op.tags && op.tags.length ? op.tags : ['Other'];
        for (const tag of tags) {
          if (!byTag.has(tag)) byTag.set(tag, []);
          byTag.get(tag).push({ path, method, op, item });
        }
      }
    }
    return byTag;
  }

  // ------------------------------------------------------------------ page

  function intro() {
    const info = spec.info || {};
    const section = el('section', { 'aria-labelledby': 'overview' }, el('h2', { id: 'overview' }, 'Overview'));
    if (info.summary) section.append(el('p', { class: 'lead' }, info.summary));
    section.append(markdown(info.description));
    const facts = [];
    if (info.license) {
      const lic = info.license;
      const label = lic.name + (lic.identifier && lic.identifier !== lic.name ? ' (' + lic.identifier + ')' : '');
      facts.push(el('li', null, 'Licence: ', lic.url && /^https?:/i.test(lic.url) ? el('a', { href: lic.url }, label) : label));
    }
    if (info.contact && info.contact.name) facts.push(el('li', null, 'Contact: ', info.contact.name));
    for (const s of spec.servers || []) {
      facts.push(el('li', null, 'Server: ', code(s.url), s.description ? ' ' + s.description : ''));
    }
    facts.push(el('li', null, 'OpenAPI ', spec.openapi || '?', ': ', el('a', { href: SPEC_URL }, SPEC_URL)));
    section.append(el('ul', null, facts));
    const schemes = (spec.components && spec.components.securitySchemes) || {};
    if (Object.keys(schemes).length) {
      section.append(el('h3', { id: 'authentication' }, 'Authentication'));
      for (const [name, s] of Object.entries(schemes)) {
        section.append(el('div', { id: 'security-' + slug(name) },
          el('p', null, el('strong', null, name), ': ', s.type === 'http' ? 'HTTP ' + s.scheme + ' authentication' : s.type,
            s.type === 'apiKey' ? [' in ', s.in, ' ', code(s.name)] : ''),
          markdown(s.description)));
      }
    }
    return section;
  }

  function render() {
    const info = spec.info || {};
    document.title = (info.title || 'API') + ' reference';
    const title = document.getElementById('title');
    title.textContent = '';
    append(title, [info.title || 'API', ' ', el('span', { class: 'version' }, 'version ' + (info.version || '?'))]);

    const main = document.getElementById('main');
    const toc = document.getElementById('toc');
    main.textContent = '';
    toc.textContent = '';
    main.append(intro());

    const tocList = el('ul', null, el('li', null, el('a', { href: '#overview' }, 'Overview')));
    const tagInfo = new Map((spec.tags || []).map((t) => [t.name, t]));
    for (const [tag, ops] of collectOperations()) {
      if (!ops.length) continue;
      const id = 'tag-' + slug(tag);
      const section = el('section', { 'aria-labelledby': id }, el('h2', { id }, tag));
      const t = tagInfo.get(tag);
      if (t && t.description) section.append(markdown(t.description));
      const sub = el('ul');
      for (const { path, method, op, item } of ops) {
        const art = operation(path, method, op, item);
        section.append(art);
        sub.append(el('li', null, el('a', { href: '#' + art.id },
          el('span', { class: 'method ' + method, 'aria-hidden': 'true' }, method.toUpperCase()),
          op.summary || path)));
      }
      main.append(section);
      tocList.append(el('li', null, el('a', { href: '#' + id }, tag), sub));
    }

    const schemas = (spec.components && spec.components.schemas) || {};
    if (Object.keys(schemas).length) {
      const section = el('section', { 'aria-labelledby': 'schemas' }, el('h2', { id: 'schemas' }, 'Schemas'));
      const sub = el('ul');
      for (const name of Object.keys(schemas)) {
        const id = 'schema-' + slug(name);
        section.append(el('section', { class: 'schema', id, 'aria-labelledby': id + '-h' },
          el('h3', { id: id + '-h' }, name), schemaBlock({ $ref: '#/components/schemas/' + name.replace(/~/g, '~0').replace(/\//g, '~1') })));
        sub.append(el('li', null, el('a', { href: '#' + id }, name)));
      }
      main.append(section);
      tocList.append(el('li', null, el('a', { href: '#schemas' }, 'Schemas'), sub));
    }
    toc.append(el('h2', null, 'Contents'), tocList);
    document.getElementById('status').textContent = '';

    // The page was built after load: honour a #fragment in the address now.
    if (location.hash.length > 1) {
      const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
  }

  function fail(message) {
    const status = document.getElementById('status');
    status.textContent = '';
    append(status, [el('span', { class: 'error' }, 'The API description could not be shown: ' + message + '. '),
      'The raw document is at ', el('a', { href: SPEC_URL }, SPEC_URL), '.']);
  }

  function start() {
    fetch(SPEC_URL, { headers: { Accept: 'application/json' } })
      .then((res) => {
        if (!res.ok) throw new Error('HTTP ' + res.status + ' from ' + SPEC_URL);
        return res.json();
      })
      .then((doc) => {
        spec = doc;
        render();
      })
      .catch((err) => fail(err && err.message ? err.message : String(err)));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
