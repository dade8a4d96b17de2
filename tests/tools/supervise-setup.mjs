// Set-up shared by the supervision browser tests (e2e-supervise.mjs, e2e-superpages.mjs),
// through the API: a case of zhangsan's for 3301-SCJG-GTDJ, accepted by 330102-SCJG
// (browser.mjs acceptedGtdjCase) and suspended for a public notice, so that it stands on the
// supervisors' watch list.
import { acceptedGtdjCase, apiSession, check } from './browser.mjs';

// The suspended case's tracking number.
export async function suspendedCase(base) {
  const c = await acceptedGtdjCase(base);
  const approver = await apiSession(base, 'sc.approver');
  const r = await approver('POST', `/api/v1/cases/${c.tracking_no}/suspend`, { procedure: 'public_notice', reason: '依法公示' });
  check(r.status === 200, 'suspended: ' + JSON.stringify(r.body));
  return r.body.tracking_no;
}
