#!/usr/bin/env node
// Generates a service catalog of N items for the search benchmarks, in the export format
// that `onewindow import-catalog FILE --publish` reads ({"format": "onewindow-catalog",
// "items": [{"status", "item"}], "implementations": [...]}; see src/catalog/exchange.cc,
// src/catalog/item.cc NormalizeItem and demo/catalog.json).
//
//   node bench/make-catalog.js [--count 100000] [--seed 1] [--departments demo/departments.json]
//                              [--out FILE]
//
// Deterministic: the same count and seed give the same bytes. Names, English names,
// aliases, conditions, materials, steps and guides are composed from a vocabulary of real
// Chinese administrative service words (subjects such as 身份证, 营业执照, 食品经营,
// 住房公积金 combined with actions such as 登记, 许可, 证明, 备案, 变更, 注销, 补办, 换领,
// 核发, 审批, 认定), so term frequencies are skewed the way a real catalog's are: a few
// words (申请, 办理, 登记, 材料) occur in most items, others (殡葬, 收养, 燃气) in few.
// Departments come from demo/departments.json: items of 3301-* departments are city items
// (jurisdiction ["3301"]) or province items (["33"]); items of the district departments
// 330102-* and 330106-* are county items of their district. About a third of the items get
// one or two implementation list entries (in 3301, 330102 or 330106), following the rules
// the import enforces, so that region-scoped search (?region=330102) has data.
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
function opt(name, def) {
  const i = args.indexOf('--' + name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
}
const COUNT = parseInt(opt('count', '100000'), 10);
const SEED = parseInt(opt('seed', '1'), 10);
const DEPTS = opt('departments', path.join(__dirname, '..', 'demo', 'departments.json'));
const OUT = opt('out', '-');
if (!(COUNT > 0 && COUNT <= 1000000)) throw new Error('--count must be 1..1000000');

// mulberry32: small, fast, deterministic.
let state = SEED >>> 0;
function rnd() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rnd() * a.length)];
const chance = (p) => rnd() < p;
function some(a, lo, hi) {  // lo..hi distinct elements of a, in a's order
  const n = Math.min(a.length, int(lo, hi));
  const idx = new Set();
  while (idx.size < n) idx.add(Math.floor(rnd() * a.length));
  return [...idx].sort((x, y) => x - y).map((i) => a[i]);
}
// Zipf-like pick: earlier entries are more likely (weight 1/(i+1)^s).
function zipf(a, s = 0.8) {
  if (!a._cdf) {
    let sum = 0;
    a._cdf = a.map((_, i) => (sum += 1 / Math.pow(i + 1, s)));
    a._sum = sum;
  }
  const x = rnd() * a._sum;
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a._cdf[mid] < x) lo = mid + 1; else hi = mid;
  }
  return a[lo];
}

// ------------------------------------------------------------------ vocabulary
// Subjects: what an item is about. dept = department suffix in demo/departments.json;
// who = served; themes; materials typical for it; actions that make sense with it.
const LIC = ['许可', '核发', '审批', '变更', '延续', '注销', '补办'];
const REG = ['登记', '变更登记', '注销登记', '备案', '查询', '证明'];
const CARD = ['申领', '换领', '补办', '挂失', '查询', '变更'];
const BEN = ['申领', '申请', '认定', '资格认证', '待遇核定', '补贴申领', '查询'];
const SUBJECTS = [
  // [zh, en, dept, who, themes, actions]
  ['居民身份证', 'resident identity card', 'GA', 'n', ['户籍', '证件办理'], CARD],
  ['户口', 'household registration', 'GA', 'n', ['户籍'], ['迁移', '登记', '变更', '注销', '证明', '恢复']],
  ['居住证', 'residence permit', 'GA', 'n', ['户籍', '证件办理'], ['申领', '签注', '换领', '补办']],
  ['普通护照', 'ordinary passport', 'GA', 'n', ['出入境', '证件办理'], ['签发', '换发', '补发', '加注']],
  ['往来港澳通行证', 'exit-entry permit for Hong Kong and Macao', 'GA', 'n', ['出入境', '旅游'], ['签发', '签注', '换发', '补发']],
  ['机动车驾驶证', 'motor vehicle driving license', 'GA', 'n', ['交通出行', '证件办理'], ['换证', '补证', '审验', '注销', '变更']],
  ['机动车', 'motor vehicle', 'GA', 'n', ['交通出行'], ['注册登记', '转移登记', '变更登记', '抵押登记', '注销登记', '检验合格标志核发']],
  ['公章刻制', 'official seal engraving', 'GA', 'l', ['开办企业'], ['备案', '变更', '注销']],
  ['营业执照', 'business license', 'SCJG', 'l', ['开办企业', '市场监管'], ['核发', '变更', '补领', '换发', '注销']],
  ['企业', 'enterprise', 'SCJG', 'l', ['开办企业', '市场监管'], ['设立登记', '变更登记', '注销登记', '备案', '年度报告']],
  ['个体工商户', 'individual business', 'SCJG', 'n', ['开办企业', '创业'], ['设立登记', '变更登记', '注销登记', '年度报告']],
  ['农民专业合作社', 'farmers\u2019 cooperative', 'SCJG', 'l', ['开办企业'], ['设立登记', '变更登记', '注销登记']],
  ['食品经营', 'food business', 'SCJG', 'l', ['开餐馆', '市场监管'], LIC],
  ['食品生产', 'food production', 'SCJG', 'l', ['市场监管'], LIC],
  ['小餐饮店', 'small restaurant', 'SCJG', 'n', ['开餐馆'], ['登记', '变更', '延续', '注销']],
  ['药品零售', 'pharmaceutical retail', 'SCJG', 'l', ['医药', '市场监管'], LIC],
  ['医疗器械经营', 'medical device trading', 'SCJG', 'l', ['医药', '市场监管'], ['许可', '备案', '变更', '延续', '注销']],
  ['特种设备', 'special equipment', 'SCJG', 'l', ['市场监管', '工程建设'], ['使用登记', '变更登记', '停用报废注销', '检验']],
  ['计量器具', 'measuring instrument', 'SCJG', 'l', ['市场监管'], ['检定', '型式批准', '备案']],
  ['婚姻', 'marriage', 'MZ', 'n', ['婚姻'], ['登记', '登记档案查询', '证明', '补领']],
  ['结婚', 'marriage', 'MZ', 'n', ['婚姻'], ['登记', '补领结婚证']],
  ['离婚', 'divorce', 'MZ', 'n', ['婚姻'], ['登记', '冷静期撤回']],
  ['收养', 'adoption', 'MZ', 'n', ['生育', '婚姻'], ['登记', '解除登记', '评估']],
  ['社会团体', 'social organization', 'MZ', 'l', ['民政事务'], ['成立登记', '变更登记', '注销登记', '年度检查']],
  ['民办非企业单位', 'private non-enterprise unit', 'MZ', 'l', ['民政事务'], ['成立登记', '变更登记', '注销登记']],
  ['最低生活保障', 'minimum living allowance', 'MZ', 'n', ['社会救助'], ['审核确认', '申请', '停发']],
  ['特困人员救助供养', 'support for people in extreme poverty', 'MZ', 'n', ['社会救助'], ['审核确认', '申请']],
  ['临时救助', 'temporary assistance', 'MZ', 'n', ['社会救助'], ['申请', '审批']],
  ['老年人优待证', 'senior citizen card', 'MZ', 'n', ['养老'], ['办理', '补办']],
  ['养老机构', 'elderly care institution', 'MZ', 'l', ['养老'], ['备案', '变更备案', '补贴申请']],
  ['困难残疾人生活补贴', 'living allowance for disabled people in need', 'MZ', 'n', ['残疾人', '社会救助'], ['申请', '认定', '停发']],
  ['殡葬', 'funeral', 'MZ', 'n', ['民政事务'], ['补贴申领', '服务预约', '火化证明']],
  ['社会保险', 'social insurance', 'RS', 'l', ['社保'], ['参保登记', '变更登记', '注销登记', '缴费基数申报', '关系转移', '权益记录查询']],
  ['职工基本养老保险', 'basic pension insurance for employees', 'RS', 'n', ['社保', '养老', '退休'], ['参保登记', '待遇申领', '关系转移', '个人账户一次性待遇申领']],
  ['城乡居民养老保险', 'pension insurance for urban and rural residents', 'RS', 'n', ['社保', '养老'], ['参保登记', '待遇申领', '注销登记']],
  ['失业保险金', 'unemployment insurance benefit', 'RS', 'n', ['社保', '就业'], ['申领', '停发', '查询']],
  ['工伤', 'work injury', 'RS', 'n', ['社保'], ['认定', '劳动能力鉴定', '保险待遇核定']],
  ['就业', 'employment', 'RS', 'n', ['就业'], ['登记', '失业登记', '创业补贴申领', '见习补贴申领']],
  ['职业资格', 'vocational qualification', 'RS', 'n', ['职业资格', '人才'], ['证书核发', '认定', '补办']],
  ['人才', 'talent', 'RS', 'n', ['人才', '住房'], ['认定', '生活补贴申领', '租房补贴申领']],
  ['基本医疗保险', 'basic medical insurance', 'YB', 'n', ['医保'], ['参保登记', '变更登记', '关系转移接续', '费用报销']],
  ['城乡居民医保', 'medical insurance for urban and rural residents', 'YB', 'n', ['医保'], ['参保登记', '缴费', '待遇查询']],
  ['生育津贴', 'maternity allowance', 'YB', 'n', ['生育', '医保'], ['申领', '查询']],
  ['异地就医', 'medical treatment in another place', 'YB', 'n', ['医保', '医疗卫生'], ['备案', '备案取消', '费用报销']],
  ['门诊慢特病', 'chronic and special outpatient diseases', 'YB', 'n', ['医保'], ['待遇认定', '备案']],
  ['出生医学证明', 'birth medical certificate', 'WJ', 'n', ['生育', '医疗卫生'], ['签发', '补发', '换发']],
  ['预防接种证', 'vaccination certificate', 'WJ', 'n', ['生育', '医疗卫生'], ['办理', '补办', '查验']],
  ['医师执业', 'physician practice', 'WJ', 'n', ['医疗卫生', '职业资格'], ['注册', '变更注册', '注销注册']],
  ['护士执业', 'nurse practice', 'WJ', 'n', ['医疗卫生', '职业资格'], ['注册', '延续注册', '变更注册']],
  ['医疗机构执业', 'medical institution practice', 'WJ', 'l', ['医疗卫生'], ['许可', '登记', '校验', '变更', '注销']],
  ['公共场所卫生', 'public place hygiene', 'WJ', 'l', ['医疗卫生', '市场监管'], LIC],
  ['放射诊疗', 'radiological diagnosis and treatment', 'WJ', 'l', ['医疗卫生'], ['许可', '校验', '变更']],
  ['义务教育', 'compulsory education', 'JY', 'n', ['教育'], ['新生入学', '转学', '学籍证明']],
  ['教师资格', 'teacher qualification', 'JY', 'n', ['教育', '职业资格'], ['认定', '证书补发', '注册']],
  ['民办学校', 'private school', 'JY', 'l', ['教育'], ['设立审批', '变更审批', '终止审批']],
  ['校外培训机构', 'off-campus training institution', 'JY', 'l', ['教育'], ['设立审批', '变更', '注销']],
  ['建筑工程施工', 'construction works', 'ZJ', 'l', ['工程建设'], ['许可', '许可变更', '许可延期']],
  ['建设工程消防验收', 'fire acceptance of construction works', 'ZJ', 'l', ['工程建设'], ['备案', '抽查', '申请']],
  ['商品房预售', 'commercial housing pre-sale', 'ZJ', 'l', ['住房', '工程建设'], ['许可', '变更', '合同备案']],
  ['城镇污水排入排水管网', 'discharge of sewage into drainage networks', 'ZJ', 'l', ['工程建设'], ['许可', '延续', '变更']],
  ['燃气经营', 'gas business', 'ZJ', 'l', ['市场监管', '工程建设'], ['许可', '变更', '注销']],
  ['户外广告设施', 'outdoor advertising facility', 'ZJ', 'l', ['市场监管'], ['设置审批', '延续', '变更']],
  ['公共租赁住房', 'public rental housing', 'ZJ', 'n', ['住房'], ['保障资格申请', '租金补贴申领', '退出']],
  ['不动产', 'real estate', 'GH', 'n', ['住房'], ['首次登记', '转移登记', '变更登记', '抵押登记', '注销登记', '登记资料查询']],
  ['建设工程规划', 'construction planning', 'GH', 'l', ['工程建设'], ['许可证核发', '许可变更', '核实']],
  ['建设用地', 'construction land', 'GH', 'l', ['工程建设'], ['规划许可', '审批', '供地']],
  ['纳税人', 'taxpayer', 'SW', 'l', ['纳税', '开办企业'], ['信息确认', '信息变更', '注销', '资格认定']],
  ['发票', 'invoice', 'SW', 'l', ['纳税'], ['领用', '代开', '验旧', '缴销']],
  ['个人所得税', 'individual income tax', 'SW', 'n', ['纳税'], ['年度汇算', '专项附加扣除', '完税证明开具']],
  ['契税', 'deed tax', 'SW', 'n', ['纳税', '住房'], ['申报', '减免', '退税']],
  ['住房公积金', 'housing provident fund', 'GJJ', 'n', ['公积金', '住房'], ['提取', '个人住房贷款', '缴存登记', '账户转移', '缴存证明', '贷款结清证明']],
  ['住房公积金单位', 'housing provident fund employer', 'GJJ', 'l', ['公积金'], ['缴存登记', '变更登记', '注销登记', '缓缴']],
  ['公共数据', 'public data', 'SJ', 'l', ['数据开放'], ['开放申请', '共享申请', '异议处理']],
];
// English action words for the Chinese actions.
const ACTION_EN = {
  许可: 'license', 核发: 'issuance', 审批: 'approval', 变更: 'change', 延续: 'renewal',
  注销: 'cancellation', 补办: 'replacement', 登记: 'registration', 变更登记: 'registration of change',
  注销登记: 'registration of cancellation', 备案: 'filing', 查询: 'enquiry', 证明: 'certificate',
  申领: 'application', 换领: 'renewal', 挂失: 'report of loss', 申请: 'application',
  认定: 'recognition', 资格认证: 'eligibility certification', 待遇核定: 'benefit assessment',
  补贴申领: 'subsidy application', 迁移: 'transfer', 恢复: 'restoration', 签注: 'endorsement',
  签发: 'issuance', 换发: 'renewal', 补发: 'replacement', 加注: 'annotation', 换证: 'renewal',
  补证: 'replacement', 审验: 'examination', 注册登记: 'registration', 转移登记: 'registration of transfer',
  抵押登记: 'mortgage registration', 检验合格标志核发: 'issuance of inspection marks', 补领: 'replacement',
  设立登记: 'establishment registration', 年度报告: 'annual report', 使用登记: 'registration of use',
  停用报废注销: 'decommissioning', 检验: 'inspection', 检定: 'verification', 型式批准: 'type approval',
  登记档案查询: 'records enquiry', 补领结婚证: 'replacement of marriage certificate',
  冷静期撤回: 'withdrawal during the cooling-off period', 解除登记: 'registration of dissolution',
  评估: 'assessment', 成立登记: 'establishment registration', 年度检查: 'annual inspection',
  审核确认: 'review and confirmation', 停发: 'suspension of payment', 办理: 'application',
  变更备案: 'filing of change', 补贴申请: 'subsidy application', 服务预约: 'service appointment',
  火化证明: 'cremation certificate', 参保登记: 'insurance registration',
  缴费基数申报: 'declaration of contribution base', 关系转移: 'transfer of insurance records',
  权益记录查询: 'records enquiry', 待遇申领: 'benefit application',
  个人账户一次性待遇申领: 'lump-sum payment from the personal account', 劳动能力鉴定: 'work capacity assessment',
  保险待遇核定: 'insurance benefit assessment', 失业登记: 'unemployment registration',
  创业补贴申领: 'start-up subsidy application', 见习补贴申领: 'internship subsidy application',
  证书核发: 'certificate issuance', 生活补贴申领: 'living subsidy application',
  租房补贴申领: 'rent subsidy application', 关系转移接续: 'transfer of insurance records',
  费用报销: 'reimbursement', 缴费: 'payment', 待遇查询: 'benefit enquiry', 备案取消: 'cancellation of filing',
  待遇认定: 'benefit recognition', 查验: 'check', 注册: 'registration', 变更注册: 'registration of change',
  注销注册: 'cancellation of registration', 延续注册: 'renewal of registration', 校验: 'periodic check',
  新生入学: 'school enrolment', 转学: 'school transfer', 学籍证明: 'student status certificate',
  证书补发: 'certificate replacement', 设立审批: 'establishment approval', 变更审批: 'approval of change',
  终止审批: 'approval of termination', 许可变更: 'license change', 许可延期: 'license extension',
  抽查: 'spot check', 合同备案: 'contract filing', 设置审批: 'installation approval',
  保障资格申请: 'eligibility application', 租金补贴申领: 'rent subsidy application', 退出: 'exit',
  首次登记: 'first registration', 登记资料查询: 'records enquiry', 许可证核发: 'license issuance',
  核实: 'verification', 规划许可: 'planning license', 供地: 'land supply',
  信息确认: 'information confirmation', 信息变更: 'information change', 资格认定: 'qualification recognition',
  领用: 'collection', 代开: 'issuance on behalf', 验旧: 'verification of used invoices', 缴销: 'cancellation',
  年度汇算: 'annual reconciliation', 专项附加扣除: 'special additional deductions',
  完税证明开具: 'tax payment certificate', 申报: 'declaration', 减免: 'reduction and exemption', 退税: 'refund',
  提取: 'withdrawal', 个人住房贷款: 'home loan', 缴存登记: 'contribution registration',
  账户转移: 'account transfer', 缴存证明: 'contribution certificate', 贷款结清证明: 'loan settlement certificate',
  缓缴: 'deferred contribution', 开放申请: 'access application', 共享申请: 'sharing application',
  异议处理: 'objection handling',
};
// Who an item is for, prefixed to some names.
const QUALIFIERS_N = [['', ''], ['', ''], ['', ''], ['港澳台居民', 'Hong Kong, Macao and Taiwan residents'],
  ['外国人', 'foreign nationals'], ['灵活就业人员', 'flexible workers'], ['退役军人', 'veterans'],
  ['高校毕业生', 'college graduates'], ['新生儿', 'newborns'], ['残疾人', 'disabled persons'],
  ['老年人', 'elderly people'], ['未成年人', 'minors']];
const QUALIFIERS_L = [['', ''], ['', ''], ['', ''], ['外商投资', 'foreign-invested'],
  ['分支机构', 'branch'], ['小微企业', 'small and micro enterprise'], ['个人独资企业', 'sole proprietorship'],
  ['合伙企业', 'partnership'], ['国有企业', 'state-owned enterprise']];
const VARIANTS = [['', ''], ['', ''], ['', ''], ['', ''], ['（告知承诺）', ' (notification and commitment)'],
  ['（首次）', ' (first time)'], ['（跨省通办）', ' (cross-province)'], ['（全程网办）', ' (fully online)'],
  ['（延续）', ' (renewal)'], ['（容缺受理）', ' (acceptance with missing documents)']];
const ALIAS_PREFIX = ['办', '申请', '怎么办', '在哪办', '网上办'];
const MATERIALS = [
  ['居民身份证', 'Resident identity card', 'resident_id'], ['居民户口簿', 'Household register booklet', 'household_register'],
  ['营业执照', 'Business license', 'business_license'], ['申请表', 'Application form', ''],
  ['授权委托书', 'Power of attorney', ''], ['法定代表人身份证明', 'ID of the legal representative', ''],
  ['经营场所使用证明', 'Proof of use of the business premises', ''], ['房屋产权证明', 'Proof of property ownership', ''],
  ['结婚证', 'Marriage certificate', 'marriage_certificate'], ['出生医学证明', 'Birth medical certificate', ''],
  ['劳动合同', 'Employment contract', ''], ['健康证明', 'Health certificate', ''],
  ['不动产权证书', 'Real estate title certificate', ''], ['社会保障卡', 'Social security card', ''],
  ['近期免冠照片', 'Recent ID photo', ''], ['学历证书', 'Academic certificate', ''],
  ['病历资料', 'Medical records', ''], ['完税证明', 'Tax payment certificate', ''],
  ['施工图审查合格书', 'Construction drawing review certificate', ''], ['平面布局图', 'Floor plan', ''],
  ['管理制度文本', 'Management rules', ''], ['章程', 'Articles of association', ''],
  ['验资报告', 'Capital verification report', ''], ['租赁合同', 'Lease contract', ''],
  ['银行账户信息', 'Bank account details', ''], ['情况说明', 'Written explanation', ''],
];
const HALLS = [
  ['杭州市民中心', '杭州市上城区解放东路18号', '周一至周五 9:00-17:00'],
  ['上城区行政服务中心', '杭州市上城区市民街200号', '周一至周六 9:00-17:00'],
  ['西湖区行政服务中心', '杭州市西湖区文二西路1号', '周一至周五 8:30-17:00'],
  ['街道便民服务中心', '各街道便民服务中心', '周一至周五 8:30-12:00，13:30-17:00'],
  ['户籍所在地公安派出所', '各公安派出所户籍窗口', '周一至周五 8:30-12:00，13:30-17:00'],
];
const LAWS = ['《中华人民共和国行政许可法》', '《中华人民共和国社会保险法》', '《中华人民共和国食品安全法》',
  '《中华人民共和国药品管理法》', '《中华人民共和国建筑法》', '《住房公积金管理条例》', '《婚姻登记条例》',
  '《市场主体登记管理条例》', '《中华人民共和国居民身份证法》', '《中华人民共和国税收征收管理法》',
  '《浙江省公共数据条例》', '《不动产登记暂行条例》', '《中华人民共和国民法典》'];
const CHANNELS = ['浙里办', '浙江政务服务网', '杭州办事服务', '支付宝城市服务', '自助服务终端'];

// Guide sentences; {S} subject, {A} action, {M} materials, {H} hall, {P}/{T} days, {C} channel.
const GUIDE = [
  '申请人可通过{C}在线提交{S}{A}申请，也可以到{H}综合窗口办理。',
  '办理{S}{A}需要提交{M}等材料，材料齐全、符合法定形式的当场受理。',
  '承诺办结时限为{P}个工作日，法定办结时限为{T}个工作日。',
  '本事项不收费，办理结果可以选择邮寄送达或者窗口领取。',
  '因故不能本人到场的，可以委托他人代为办理，受托人应当携带本人身份证件和授权委托书。',
  '符合条件的实行告知承诺制，申请人书面承诺符合条件后可当场办结。',
  '已通过数据共享获取的证照材料无需重复提交，电子证照与纸质证照具有同等效力。',
  '材料不齐全的，工作人员一次性告知需要补正的全部内容。',
  '办理进度可以在{C}的“我的办件”中查询，办结后短信通知申请人。',
  '涉及现场核查的，审批部门将在受理后{P}个工作日内安排核查。',
  '本事项支持跨区域通办，在杭州市范围内任一政务服务中心均可申请。',
  '对办理结果有异议的，可以依法申请行政复议或者提起行政诉讼。',
];
const GUIDE_EN = [
  'Apply online through Zhelibang or at the service counter of the {H}.',
  'Submit the application form and supporting documents; complete applications are accepted on the spot.',
  'The result is delivered by post or collected at the counter, free of charge.',
  'Applicants who cannot attend in person may authorise an agent with a power of attorney.',
  'Documents already available through data sharing need not be submitted again.',
];

// ------------------------------------------------------------------ departments
const departments = JSON.parse(fs.readFileSync(DEPTS, 'utf8'));
const deptByCode = new Map(departments.map((d) => [d.code, d]));
const citySuffixes = new Set(departments.filter((d) => d.region_code === '3301').map((d) => d.code.slice(5)));
const countyDepts = departments.filter((d) => d.region_code.length === 6 && d.type === 'department');

// ------------------------------------------------------------------ items
const TYPE_BY_ACTION = (a) =>
  /许可|审批|核发|签发|换发|补发|设置/.test(a) ? 'administrative_licensing'
    : /补贴|津贴|救助|待遇申领|申领/.test(a) ? 'administrative_payment'
      : /认定|登记|确认|注册|备案|审核/.test(a) ? 'administrative_confirmation'
        : 'public_service';
const sentence = (t, ctx) => t.replace(/\{(\w)\}/g, (_, k) => ctx[k]);

function makeItem(n) {
  const s = zipf(SUBJECTS, 0.6);
  const [subj, subjEn, suffix, who, themes, actions] = s;
  const action = pick(actions);
  // Level and department: mostly city items of the city department, some province items,
  // and county items where a district has a department of that kind.
  const county = countyDepts.filter((d) => d.code.endsWith('-' + suffix));
  let level, jurisdiction, dept;
  const roll = rnd();
  if (county.length && roll < 0.25) {
    dept = pick(county);
    level = 'county';
    jurisdiction = [dept.region_code];
  } else if (roll < 0.4) {
    level = 'province';
    jurisdiction = ['33'];
  } else {
    level = 'city';
    jurisdiction = ['3301'];
  }
  if (!dept) {
    const code = '3301-' + (citySuffixes.has(suffix) ? suffix : 'ZWFW');
    dept = deptByCode.get(code);
  }
  const [qual, qualEn] = pick(who === 'n' ? QUALIFIERS_N : QUALIFIERS_L);
  const [variant, variantEn] = pick(VARIANTS);
  const district = level === 'county' ? (dept.region_code === '330102' ? '（上城区）' : '（西湖区）') : '';
  const name = qual + subj + action + variant + district;
  const actionEn = ACTION_EN[action] || 'service';
  const nameEn = (actionEn.charAt(0).toUpperCase() + actionEn.slice(1)) + ' of ' +
    (qualEn ? qualEn + ' ' : '') + subjEn + variantEn;
  const type = TYPE_BY_ACTION(action);
  const statutory = pick([0, 5, 10, 15, 20, 30, 60]);
  const promised = statutory === 0 ? pick([0, 1, 3]) : int(0, statutory);
  const mats = some(MATERIALS, 1, 4);
  if (who === 'n' && !mats.includes(MATERIALS[0]) && chance(0.7)) mats.unshift(MATERIALS[0]);
  if (who === 'l' && !mats.includes(MATERIALS[2]) && chance(0.6)) mats.unshift(MATERIALS[2]);
  const hall = level === 'county' ? (dept.region_code === '330102' ? HALLS[1] : HALLS[2]) : pick([HALLS[0], HALLS[0], HALLS[3], HALLS[4]]);
  const ctx = {
    S: qual + subj, A: action, M: mats.slice(0, 2).map((m) => m[0]).join('、'), H: hall[0],
    P: String(promised), T: String(statutory), C: pick(CHANNELS),
  };
  let guide = '';
  if (chance(0.6)) {
    const first = chance(0.5) ? GUIDE[0] : GUIDE[1];
    guide = [first, ...some(GUIDE.slice(2), 1, 3)].map((t) => sentence(t, ctx)).join('');
  }
  const guideEn = guide && chance(0.2) ? some(GUIDE_EN, 2, 3).map((t) => sentence(t, { H: 'service centre' })).join(' ') : '';
  const aliases = chance(0.3) ? [pick(ALIAS_PREFIX) + subj + (chance(0.5) ? action : '')] : [];
  const forms = chance(0.8) ? ['online', 'counter'] : ['counter'];
  if (chance(0.2)) forms.push('mail');
  const item = {
    code: dept.code + '-' + String(n).padStart(6, '0'),
    name,
    name_en: nameEn,
    aliases,
    type,
    nature: type === 'public_service' ? 'public_service' : 'administrative_power',
    served: who === 'n' ? ['natural_person'] : (chance(0.3) ? ['legal_person', 'natural_person'] : ['legal_person']),
    department_code: dept.code,
    themes: some(themes, 1, 2),
    level,
    service_forms: forms,
    jurisdiction,
    legal_basis: chance(0.7) ? [{ title: pick(LAWS), article: '第' + '一二三四五六七八九十'[int(0, 9)] + '条', url: '' }] : [],
    conditions: chance(0.6) ? ['申请人为' + (who === 'n' ? '本人或者其监护人' : '依法设立的市场主体') + '，申请事项符合法定条件'] : [],
    materials: mats.map(([mn, me, lt]) => {
      const m = { name: mn, name_en: me, required: chance(0.8), copies: 1, form: pick(['both', 'electronic', 'paper']) };
      if (lt) m.license_type = lt;
      return m;
    }),
    steps: [{ name: '申请', description: '提交申请材料' }, { name: '受理', description: '' },
      ...(chance(0.5) ? [{ name: '审查', description: '审查申请材料，必要时现场核查' }] : []),
      { name: '办结', description: '作出决定并送达结果' }],
    statutory_days: statutory,
    promised_days: promised,
    fees: chance(0.15) ? [{ name: '工本费', amount: pick(['10.00', '20.00', '5.00']), basis: '' }] : [],
    halls: [{ name: hall[0], address: hall[1], hours: hall[2] }],
    consult_phone: '0571-12345',
    complaint_phone: '12345',
    online_depth: forms.includes('online') ? int(2, 4) : 1,
    visits: forms.includes('online') ? int(0, 1) : int(1, 2),
    appointment: chance(0.3),
    delivery: forms.includes('mail'),
    cross_region: pick(['none', 'none', 'city', 'province', 'national']),
    guide,
    guide_en: guideEn,
  };
  return item;
}

// Implementation list entries following the import's rules: the region is within the
// jurisdiction and not above the item's level; the department serves that region or one
// above it; promised_days <= statutory_days.
function makeImplementations(item) {
  const out = [];
  const entry = (region, dept) => ({
    item_code: item.code, region_code: region, department_code: dept,
    halls: item.halls, consult_phone: item.consult_phone, complaint_phone: '12345',
    promised_days: item.statutory_days ? int(0, item.statutory_days) : 0, note: '',
  });
  if (item.level === 'county') {
    out.push(entry(item.jurisdiction[0], item.department_code));
  } else if (item.level === 'province') {
    out.push(entry('3301', item.department_code));
  } else {
    const districts = some(['3301', '330102', '330106'], 1, 2);
    for (const r of districts) {
      const local = countyDepts.find((d) => d.region_code === r && d.code.endsWith(item.department_code.slice(4)));
      out.push(entry(r, local ? local.code : item.department_code));
    }
  }
  return out;
}

const items = [];
const implementations = [];
for (let n = 1; n <= COUNT; ++n) {
  const item = makeItem(n);
  items.push({ status: 'published', item });
  if (chance(0.35)) implementations.push(...makeImplementations(item));
}
const doc = { format: 'onewindow-catalog', format_version: 1, items, implementations, bundles: [] };
const text = JSON.stringify(doc);
if (OUT === '-') process.stdout.write(text); else fs.writeFileSync(OUT, text);
process.stderr.write(`make-catalog: ${items.length} items, ${implementations.length} implementations, ` +
  `${(Buffer.byteLength(text) / 1048576).toFixed(1)} MiB\n`);

