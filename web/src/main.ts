import { createApp } from 'vue';
import App from './App.vue';
import { useElement } from './element';
import { i18n } from './i18n';
import { router } from './router';
import './style.css';

const app = createApp(App).use(i18n).use(router);
useElement(app);
app.mount('#app');
