import { defineConfig, type Rollup } from 'vite';
import vue from '@vitejs/plugin-vue';

// How the portal's code is split. Every request on a throttled phone costs a round trip, and
// a page waits for all of its chunks, so a page should need few of them: the shell (the entry,
// with what nearly every page uses), Vue, and besides its own chunk at most the shared
// chunks below. Element Plus has no chunk of its own: each component is imported where it is
// used (src/element/), and the components go in families with the pages that need them.
//   vue     Vue, vue-router and vue-i18n (every page).
//   index   the entry: App, the router, the Chinese messages; from Element Plus what App and
//           most pages show (button, input, tag) with the helpers these use; the error alert
//           and the catalog API modules.
//   shared  the components, composables and API modules that several pages share (forms,
//           uploads, case facts and timelines), with Element Plus's form family.
//   popper  Element Plus's popconfirm, tooltip and popover, with Popper.js.
// Left to Rollup: each page's own modules (its route chunk), Element Plus's other components
// (the select, pagination, message box; the date picker, which SchemaForm loads only for a
// form with a date, with dayjs), and the heavy components of a few pages (bpmn-js, pdf.js,
// the QR code).
const ENTRY_ELEMENT = ['base', 'button', 'config-provider', 'icon', 'input', 'tag'];
const FORM_ELEMENT = ['form', 'form-item', 'input-number', 'checkbox', 'checkbox-group', 'progress', 'alert'];
const POPPER_ELEMENT = ['popper', 'tooltip', 'popconfirm', 'popover', 'focus-trap', 'slot'];
const ENTRY_SRC = /\/src\/(components\/(ProblemAlert|ProblemDetails)\.vue|api\/(problems|catalog|departments|regions)\.ts|catalog\.ts)$/;
const SHARED_SRC =
  /\/src\/(components\/(SchemaForm|MaterialSlots|MaterialUpload|ErrorSummary|RegionChoice|RegionPicker|FilterDisclosure|Case[A-Za-z]+)\.vue|composables\/[^/]+\.ts|api\/[^/]+\.ts|forms\.ts|cases\.ts)$/;
// Element Plus's helpers and the libraries under it (lodash, async-validator, Popper.js...).
const ELEMENT_LIBS = /node_modules\/(element-plus|@element-plus|lodash-es|lodash-unified|@ctrl|async-validator|@floating-ui|@popperjs|dayjs|normalize-wheel-es|memoize-one)\//;

// The family of one of Element Plus's components (its folder, theme-chalk file or
// src/element/ module): the chunk it goes in, undefined for the rest (left to Rollup).
function componentFamily(path: string): string | undefined | null {
  const m =
    /element-plus\/es\/components\/([^/]+)\//.exec(path) ??
    /element-plus\/theme-chalk\/(?:el-)?([a-z-]+)\.css$/.exec(path) ??
    /\/src\/element\/([a-z-]+)\.ts$/.exec(path);
  if (!m) return null;
  if (ENTRY_ELEMENT.includes(m[1])) return 'index';
  if (FORM_ELEMENT.includes(m[1])) return 'shared';
  if (POPPER_ELEMENT.includes(m[1])) return 'popper';
  return undefined;
}

// The modules the entry imports statically, directly or not: they load with it in any case,
// so they stay in its chunk (or Vue's) whatever family they belong to.
let entryClosure: Set<string> | undefined;
function entryModules({ getModuleIds, getModuleInfo }: Rollup.ManualChunkMeta): Set<string> {
  if (entryClosure) return entryClosure;
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dep of getModuleInfo(id)?.importedIds ?? []) visit(dep);
  };
  for (const id of getModuleIds()) if (getModuleInfo(id)?.isEntry) visit(id);
  return (entryClosure = seen);
}

// A helper goes with the components that use it: in the entry when one of the entry's
// components does, else in the shared chunk when one of the form family (or the portal's own
// code) does, else with the popper family, else where Rollup puts it (with the date picker or
// the select, say).
const helperChunks = new Map<string, string | undefined>();
function helperChunk(id: string, meta: Rollup.ManualChunkMeta): string | undefined {
  if (helperChunks.has(id)) return helperChunks.get(id);
  helperChunks.set(id, undefined); // an import cycle adds nothing
  const chunks = new Set<string | undefined>();
  for (const importer of meta.getModuleInfo(id)?.importers ?? []) {
    const path = importer.split('?')[0];
    const family = componentFamily(path);
    if (family !== null) chunks.add(family);
    else if (ELEMENT_LIBS.test(path)) chunks.add(helperChunk(importer, meta));
    else chunks.add('shared');
  }
  const chunk = (['index', 'shared', 'popper'] as const).find((c) => chunks.has(c));
  helperChunks.set(id, chunk);
  return chunk;
}

function manualChunks(id: string, meta: Rollup.ManualChunkMeta): string | undefined {
  const path = id.split('?')[0];
  if (/node_modules\/(vue|vue-router|vue-i18n|@vue|@vueuse|@intlify)\//.test(path)) return 'vue';
  if (entryModules(meta).has(id) || path === '\0plugin-vue:export-helper' || ENTRY_SRC.test(path)) return 'index';
  const family = componentFamily(path);
  if (family !== null) return family;
  if (ELEMENT_LIBS.test(path)) return helperChunk(id, meta);
  if (SHARED_SRC.test(path)) return 'shared';
  return undefined;
}

// The portal is served by the OneWindow server from web/dist; `npm run dev` proxies the
// API to a server on 127.0.0.1:8080 (make run).
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks,
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/oauth2': 'http://127.0.0.1:8080',
      '/.well-known': 'http://127.0.0.1:8080',
    },
  },
});
