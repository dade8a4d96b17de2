import { createApp } from 'vue';
import App from './App.vue';
import 'element-plus/theme-chalk/base.css';
import { i18n, localeReady } from './i18n';
import { router } from './router';
import './style.css';

// Element Plus's components are imported where they are used (src/element/, one module each with
// its style), not registered globally: each page's chunk then carries only its own components.
// The router starts on the first page (its session and chunk) while the messages of a language
// other than Chinese load; the app shows once they are in.
const app = createApp(App).use(i18n).use(router);
localeReady.then(() => app.mount('#app'));
