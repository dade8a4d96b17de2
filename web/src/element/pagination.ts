// Element Plus's ElPagination with its style.
import 'element-plus/es/components/pagination/style/css';
export { ElPagination } from 'element-plus/es/components/pagination/index.mjs';
