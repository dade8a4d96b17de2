// Set-up shared by the supervision browser tests (e2e-supervise.mjs, e2e-superpages.mjs),
// through the API: a case of zhangsan's for 3301-SCJG-GTDJ, accepted by 330102-SCJG and
// suspended for a public notice, so that it stands on the supervisors' watch list.
import { apiSession, check, pdfBytes } from './browser.mjs';

const ITEM = '3301-SCJG-GTDJ';
const FORM = { operator_name: '张三', operator_id: '330102199003073017', form: '个人经营', address: '杭州市上城区解放路1号', scope: '日用百货零售', phone: '13800000001' };

// The suspended case's tracking number.
export async function suspendedCase(base) {
  const zhang = await apiSession(base, 'zhangsan');
  const acceptor = await apiSession(base, 'sc.acceptor');
  const item = await zhang('GET', '/api/v1/catalog/items/' + ITEM);
  check(item.status === 200, 'item: ' + item.status);
  const doc = item.body.item ?? item.body;
  const materials = [];
  for (const m of doc.materials.filter((x) => x.required && x.form !== 'paper')) {
    const up = await zhang.raw('POST', '/api/v1/materials?filename=a.pdf', pdfBytes());
    check(up.status === 201, 'upload: ' + JSON.stringify(up.body));
    materials.push({ id: up.body.id, name: m.name });
  }
  const sub = await zhang('POST', '/api/v1/cases', { item_code: ITEM, region_code: '330102', form: FORM, materials });
  check(sub.status === 201, 'submitted: ' + JSON.stringify(sub.body));
  const task = sub.body.tasks.find((t) => t.node === 'accept' && t.status === 'open');
  let r = await acceptor('POST', `/api/v1/tasks/${task.id}/complete`, { version: task.version, decision: 'accept', opinion: '材料齐全，予以受理' });
  check(r.status === 200, 'accepted: ' + JSON.stringify(r.body));
  const approver = await apiSession(base, 'sc.approver');
  r = await approver('POST', `/api/v1/cases/${r.body.tracking_no}/suspend`, { procedure: 'public_notice', reason: '依法公示' });
  check(r.status === 200, 'suspended: ' + JSON.stringify(r.body));
  return r.body.tracking_no;
}
