// Element Plus's ElCheckbox and ElCheckboxGroup with their styles.
import 'element-plus/es/components/checkbox/style/css';
import 'element-plus/es/components/checkbox-group/style/css';
export { ElCheckbox, ElCheckboxGroup } from 'element-plus/es/components/checkbox/index.mjs';
