// Element Plus's ElConfigProvider (the locale of Element Plus's own texts), for App.vue.
import 'element-plus/es/components/config-provider/style/css';
export { ElConfigProvider } from 'element-plus/es/components/config-provider/index.mjs';
