// Element Plus's ElSelect and ElOption with their styles.
import 'element-plus/es/components/select/style/css';
import 'element-plus/es/components/option/style/css';
export { ElOption, ElSelect } from 'element-plus/es/components/select/index.mjs';
