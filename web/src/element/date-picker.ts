// Element Plus's ElDatePicker with its style: the largest component the portal uses (its
// panels, the time picker and dayjs), so SchemaForm loads it only for a form with a date.
import 'element-plus/es/components/date-picker/style/css';
export { ElDatePicker } from 'element-plus/es/components/date-picker/index.mjs';
