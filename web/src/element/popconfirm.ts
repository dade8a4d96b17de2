// Element Plus's ElPopconfirm with its style.
import 'element-plus/es/components/popconfirm/style/css';
export { ElPopconfirm } from 'element-plus/es/components/popconfirm/index.mjs';
