// Element Plus's ElProgress with its style.
import 'element-plus/es/components/progress/style/css';
export { ElProgress } from 'element-plus/es/components/progress/index.mjs';
