// Apache ECharts through vue-echarts, with only the parts the supervisor console draws (line
// and bar charts on a grid, with tooltips and legends, on a canvas): the rest of ECharts stays
// out of the bundle. Every chart stands beside a table of the same numbers and carries an
// aria-label (charts are pictures to a screen reader).
import { use } from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import VChart from 'vue-echarts';
import 'vue-echarts/style.css';

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { VChart };
