// Element Plus's ElButton with its style.
import 'element-plus/es/components/button/style/css';
export { ElButton } from 'element-plus/es/components/button/index.mjs';
