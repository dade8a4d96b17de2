import { createRouter, createWebHistory, loadRouteLocation, type RouteRecordRaw } from 'vue-router';
import { session, loadSession, isStaff, hasRole, roleHome, SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN } from './session';

// Every page is its own chunk; bpmn-js loads only with the process editor.
const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./views/citizen/HomePage.vue') },
  { path: '/catalog', name: 'catalog', component: () => import('./views/citizen/CatalogPage.vue') },
  { path: '/items/:code', name: 'item', component: () => import('./views/citizen/GuidePage.vue') },
  { path: '/items/:code/apply', name: 'apply', component: () => import('./views/citizen/ApplyPage.vue'), meta: { auth: true } },
  { path: '/bundles', name: 'bundles', component: () => import('./views/citizen/BundlesPage.vue') },
  { path: '/bundles/:code', name: 'bundle', component: () => import('./views/citizen/BundlePage.vue') },
  { path: '/bundles/:code/apply', name: 'bundle-apply', component: () => import('./views/citizen/BundleApplyPage.vue'), meta: { auth: true } },
  { path: '/me/bundles/:id', name: 'bundle-application', component: () => import('./views/citizen/BundleResultPage.vue'), meta: { auth: true } },
  { path: '/login', name: 'login', component: () => import('./views/LoginPage.vue') },
  { path: '/me/cases', name: 'my-cases', component: () => import('./views/citizen/MyCasesPage.vue'), meta: { auth: true } },
  { path: '/me/cases/:no', name: 'my-case', component: () => import('./views/citizen/CaseDetailPage.vue'), meta: { auth: true } },
  { path: '/me/account', name: 'my-account', component: () => import('./views/citizen/AccountPage.vue'), meta: { auth: true } },
  { path: '/me/notifications', name: 'my-notifications', component: () => import('./views/citizen/NotificationsPage.vue'), meta: { auth: true } },
  { path: '/me/messages', name: 'messages', component: () => import('./views/citizen/MessagesPage.vue'), meta: { auth: true } },
  { path: '/me/licences', name: 'wallet', component: () => import('./views/licences/WalletPage.vue'), meta: { auth: true } },
  { path: '/me/licences/:number', name: 'licence', component: () => import('./views/licences/LicencePage.vue'), meta: { auth: true } },
  { path: '/verify', name: 'verify', component: () => import('./views/licences/VerifyPage.vue') },
  { path: '/licence-shares', name: 'licence-share', component: () => import('./views/licences/SharePage.vue') },
  { path: '/track', name: 'track', component: () => import('./views/citizen/TrackPage.vue') },
  { path: '/ask', name: 'ask', component: () => import('./views/citizen/AskPage.vue') },
  { path: '/book', name: 'book', component: () => import('./views/booking/BookPage.vue'), meta: { auth: true } },
  { path: '/me/bookings', name: 'my-bookings', component: () => import('./views/booking/MyBookingsPage.vue'), meta: { auth: true } },
  { path: '/halls/:code/queue', name: 'hall-queue', component: () => import('./views/booking/HallQueuePage.vue') },
  { path: '/halls/:code/kiosk', name: 'hall-kiosk', component: () => import('./views/booking/KioskPage.vue') },
  { path: '/workbench/queue', name: 'counter-queue', component: () => import('./views/booking/CounterQueuePage.vue'), meta: { auth: true, roles: ['counter'] } },
  { path: '/me/tickets', name: 'my-tickets', component: () => import('./views/citizen/MyTicketsPage.vue'), meta: { auth: true } },
  { path: '/me/rate', name: 'rate', component: () => import('./views/citizen/RatePage.vue'), meta: { auth: true } },
  { path: '/me/ratings', name: 'my-ratings', component: () => import('./views/citizen/MyRatingsPage.vue'), meta: { auth: true } },
  { path: '/me/ratings/:number', name: 'my-rating', component: () => import('./views/citizen/MyRatingsPage.vue'), meta: { auth: true } },
  { path: '/rate/link/:token', name: 'rate-link', component: () => import('./views/ratings/RateLinkPage.vue') },
  { path: '/supervise', name: 'supervise-console', component: () => import('./views/supervise/ConsolePage.vue'), meta: { auth: true, roles: ['supervisor'] } },
  { path: '/supervise/cases/:no', name: 'supervise-case', component: () => import('./views/supervise/SupervisedCasePage.vue'), meta: { auth: true, roles: ['supervisor'] } },
  { path: '/ratings', name: 'public-ratings', component: () => import('./views/ratings/PublicRatingsPage.vue') },
  { path: '/supervise/warnings', name: 'supervise-warnings', component: () => import('./views/supervise/WarningsPage.vue'), meta: { auth: true, roles: ['supervisor'] } },
  { path: '/workbench/supervision', name: 'staff-supervision', component: () => import('./views/supervise/DepartmentSupervisionPage.vue'), meta: { auth: true, roles: ['acceptor', 'reviewer', 'approver'] } },
  { path: '/supervise/orders', name: 'supervise-orders', component: () => import('./views/supervise/SupervisorOrdersPage.vue'), meta: { auth: true, roles: ['supervisor'] } },
  { path: '/supervise/orders/:number', name: 'supervise-order', component: () => import('./views/supervise/SupervisorOrdersPage.vue'), meta: { auth: true, roles: ['supervisor'] } },
  { path: '/supervise/claims', name: 'supervise-claims', component: () => import('./views/supervise/SupervisorClaimsPage.vue'), meta: { auth: true, roles: ['supervisor'] } },
  { path: '/workbench/inspections', name: 'staff-inspections', component: () => import('./views/supervise/InspectionPlansPage.vue'), meta: { auth: true, roles: ['approver'] } },
  { path: '/workbench/inspections/:number', name: 'staff-inspection', component: () => import('./views/supervise/InspectionPlanPage.vue'), meta: { auth: true, roles: ['approver'] } },
  { path: '/inspections', name: 'inspections', component: () => import('./views/supervise/InspectionsPage.vue') },
  { path: '/workbench/ratings', name: 'staff-ratings', component: () => import('./views/staff/RatingInboxPage.vue'), meta: { auth: true, roles: ['acceptor', 'reviewer', 'approver', 'supervisor'] } },
  { path: '/me/data-uses', name: 'my-data-uses', component: () => import('./views/citizen/MyDataUsesPage.vue'), meta: { auth: true } },
  { path: '/workbench/exchange/provider', name: 'exchange-provider', component: () => import('./views/exchange/ProviderPage.vue'), meta: { auth: true, roles: ['acceptor', 'reviewer', 'approver'] } },
  { path: '/workbench/exchange/consumer', name: 'exchange-consumer', component: () => import('./views/exchange/ConsumerPage.vue'), meta: { auth: true, roles: ['acceptor', 'reviewer', 'approver'] } },
  { path: '/workbench/exchange/log', name: 'exchange-log', component: () => import('./views/exchange/LogPage.vue'), meta: { auth: true, roles: ['approver'] } },
  { path: '/workbench/tickets', name: 'staff-tickets', component: () => import('./views/staff/TicketInboxPage.vue'), meta: { auth: true, roles: ['acceptor', 'reviewer', 'approver', 'supervisor'] } },
  { path: '/workbench/ticket-registration', name: 'ticket-registration', component: () => import('./views/staff/TicketRegisterPage.vue'), meta: { auth: true, roles: ['hotline', 'counter'] } },
  { path: '/workbench', name: 'workbench', component: () => import('./views/staff/InboxPage.vue'), meta: { auth: true, staff: true } },
  { path: '/workbench/cases/:no', name: 'staff-case', component: () => import('./views/staff/StaffCasePage.vue'), meta: { auth: true, staff: true } },
  { path: '/workbench/identity', name: 'identity-check', component: () => import('./views/staff/IdentityCheckPage.vue'), meta: { auth: true, roles: ['counter'] } },
  { path: '/workbench/licences', name: 'staff-licences', component: () => import('./views/staff/LicencesPage.vue'), meta: { auth: true, roles: ['approver'] } },
  { path: '/workbench/intake', name: 'intake', component: () => import('./views/staff/IntakePage.vue'), meta: { auth: true, roles: ['counter'] } },
  // The admin console: each page belongs to one administrator duty (`roles`, which the server
  // enforces too); `nav` is its entry in AdminNav, shown only to that duty. /admin leads each
  // administrator to their own first page.
  { path: '/admin', name: 'admin', component: () => import('./views/NotFoundPage.vue'), meta: { auth: true }, beforeEnter: () => roleHome() },
  { path: '/admin/audit', name: 'admin-audit', component: () => import('./views/admin/AuditPage.vue'), meta: { auth: true, roles: AUDIT_ADMIN, nav: 'admin.audit' } },
  { path: '/admin/security', name: 'admin-security', component: () => import('./views/admin/SecurityPage.vue'), meta: { auth: true, roles: SECURITY_ADMIN, nav: 'admin.security' } },
  { path: '/admin/seals', name: 'admin-seals', component: () => import('./views/admin/SealsPage.vue'), meta: { auth: true, roles: SECURITY_ADMIN, nav: 'admin.seals' } },
  { path: '/admin/catalog', name: 'admin-catalog', component: () => import('./views/admin/CatalogAdminPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.catalog' } },
  { path: '/admin/departments', name: 'admin-departments', component: () => import('./views/admin/DepartmentsPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.departments' } },
  { path: '/admin/staff', name: 'admin-staff', component: () => import('./views/admin/StaffPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.staff' } },
  { path: '/admin/halls', name: 'admin-halls', component: () => import('./views/admin/HallsPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.halls' } },
  { path: '/admin/halls/new', name: 'admin-hall-new', component: () => import('./views/admin/HallEditPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN } },
  { path: '/admin/halls/:code', name: 'admin-hall', component: () => import('./views/admin/HallEditPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN } },
  { path: '/admin/deliveries', name: 'admin-deliveries', component: () => import('./views/admin/DeliveriesPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.deliveries' } },
  { path: '/admin/webhooks', name: 'admin-webhooks', component: () => import('./views/admin/WebhooksPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.webhooks' } },
  { path: '/admin/exchange-log', name: 'admin-exchange-log', component: () => import('./views/exchange/LogPage.vue'), meta: { auth: true, roles: AUDIT_ADMIN, nav: 'admin.exchangeLog' } },
  { path: '/admin/calendar', name: 'admin-calendar', component: () => import('./views/admin/CalendarPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.calendar' } },
  { path: '/admin/processes', name: 'admin-processes', component: () => import('./views/admin/ProcessesPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.processes' } },
  { path: '/admin/licence-types', name: 'admin-licence-types', component: () => import('./views/admin/LicenceTypesPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.licenceTypes' } },
  { path: '/admin/document-templates', name: 'admin-document-templates', component: () => import('./views/admin/DocumentTemplatesPage.vue'), meta: { auth: true, roles: SYSTEM_ADMIN, nav: 'admin.documentTemplates' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundPage.vue') },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to) => {
  if (!session.loaded) {
    const asked = loadSession();
    // The first page's chunk loads while the session is asked for, not after the answer
    // (the router would load it only once this guard is done). A failure shows later, when
    // the router loads it itself.
    loadRouteLocation(to).catch(() => undefined);
    try {
      await asked;
    } catch {
      /* shown as signed out */
    }
  }
  if (to.meta.auth && !session.account) return { name: 'login', query: { return: to.fullPath } };
  if (to.meta.staff && !isStaff()) return { name: 'home' };
  const roles = to.meta.roles as string[] | undefined;
  if (roles && !hasRole(...roles)) return { name: 'home' };
  return true;
});

// After a client-side navigation, moves focus to the new page's heading so screen-reader and
// keyboard users land on it (not on the first load: there the skip link comes first).
let firstLoad = true;
router.afterEach(() => {
  if (firstLoad) {
    firstLoad = false;
    return;
  }
  setTimeout(() => {
    const h = document.querySelector<HTMLElement>('main h1');
    if (h) {
      h.setAttribute('tabindex', '-1');
      h.focus({ preventScroll: true });
    }
  }, 50);
});
