// Element Plus's ElInputNumber with its style.
import 'element-plus/es/components/input-number/style/css';
export { ElInputNumber } from 'element-plus/es/components/input-number/index.mjs';
