// What the cluster test and the failover drill share: the cluster's addresses (from
// `scripts/cluster.sh env`, exported by tests/cluster/run.sh), an HTTP client with a
// cookie session that can be pointed at any node or at nginx, and small checks.
// Every call has a timeout: nothing here can hang.
export const DEMO_PASSWORD = 'OneWindow-demo-2026';
export const LB = process.env.OW_CLUSTER_LB;
export const NODES = (process.env.OW_CLUSTER_NODE_URLS || '').split(/\s+/).filter(Boolean);
export const ADMIN_TOKENS = Object.fromEntries(
  (process.env.OW_CLUSTER_ADMIN_TOKENS || '').split(',').filter(Boolean).map((p) => p.split(':')),
);
if (!LB || NODES.length === 0) {
  console.error('cluster: OW_CLUSTER_LB and OW_CLUSTER_NODE_URLS are not set (run through tests/cluster/run.sh)');
  process.exit(2);
}

export const step = (msg) => console.log('- ' + msg);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let failures = 0;
export function check(cond, msg) {
  if (cond) {
    console.log('  ok: ' + msg);
  } else {
    failures += 1;
    console.log('  FAIL: ' + msg);
  }
  return cond;
}
export const failed = () => failures;

// One HTTP call; `timeout` in ms. Returns {status, headers, body (parsed JSON or text)}.
export async function call(base, method, path, { body, headers = {}, timeout = 15000, raw = false } = {}) {
  const h = { ...headers };
  let payload;
  if (body !== undefined) {
    if (raw) {
      payload = body;
      h['Content-Type'] ??= 'application/octet-stream';
    } else {
      payload = JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    }
  }
  try {
    const r = await fetch(base + path, { method, headers: h, body: payload, signal: AbortSignal.timeout(timeout) });
    const text = await r.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: r.status, headers: r.headers, body: parsed };
  } catch (e) {
    return { status: 0, headers: new Headers(), body: String(e && e.name === 'TimeoutError' ? 'timeout' : e) };
  }
}

// Signs in through `base`; returns a session that may call any node (`on(base)`).
export async function signIn(base, username) {
  const r = await call(base, 'POST', '/api/v1/session', { body: { username, password: DEMO_PASSWORD } });
  if (r.status !== 201) throw new Error(`sign-in of ${username} on ${base}: ${r.status} ${JSON.stringify(r.body)}`);
  const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
  return session(cookie, r.body.csrf_token, username);
}

function session(cookie, csrf, username) {
  const s = (base) => ({
    get: (p, o = {}) => call(base, 'GET', p, { ...o, headers: { Cookie: cookie, ...(o.headers || {}) } }),
    send: (method, p, body, o = {}) =>
      call(base, method, p, { ...o, body, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(o.headers || {}) } }),
  });
  s.username = username;
  return s;
}

export function admin(base, name) {
  const token = ADMIN_TOKENS[name];
  if (!token) throw new Error('no admin token ' + name);
  const headers = { Authorization: 'Bearer ' + token };
  return {
    get: (p) => call(base, 'GET', p, { headers }),
    send: (method, p, body, o = {}) => call(base, method, p, { ...o, body, headers: { ...headers, ...(o.headers || {}) } }),
  };
}

export const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';
export const ITEM = '3301-SCJG-GTDJ'; // handled by 330102-SCJG in 330102
export const FORM = {
  operator_name: '张三',
  operator_id: '330102199003073017',
  form: '个人经营',
  address: '杭州市上城区解放路1号',
  scope: '日用百货零售',
  phone: '13800000001',
};

// The names of the item's required online materials.
export async function requiredMaterials(base, item) {
  const r = await call(base, 'GET', '/api/v1/catalog/items/' + item);
  if (r.status !== 200) throw new Error('catalog item ' + item + ': ' + r.status);
  const doc = r.body.item || r.body;
  return doc.materials.filter((m) => m.required && m.form !== 'paper').map((m) => m.name);
}

export function openTask(c, node) {
  return (c.tasks || []).find((t) => t.node === node && t.status === 'open');
}
