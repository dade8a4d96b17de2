// The sign-in page the OpenID Connect provider sends browsers to (/login?return=...).
// Until the portal (issue 6) replaces it: posts the credentials as JSON (so no other
// site can submit this form) and goes back to a local path only.
const params = new URLSearchParams(location.search);
function localPath(p) {
  return p && p.startsWith('/') && !p.startsWith('//') && !p.includes('\\') ? p : '/';
}
const back = localPath(params.get('return'));
const form = document.getElementById('login');
const error = document.getElementById('error');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.textContent = '';
  const res = await fetch('/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      username: document.getElementById('username').value,
      password: document.getElementById('password').value,
    }),
  });
  if (res.ok) {
    location.assign(back);
    return;
  }
  let detail = res.statusText;
  try {
    const body = await res.json();
    detail = body.detail || body.title;
    if (body.errors) detail += ': ' + body.errors.map((x) => x.field + ' ' + x.message).join('; ');
  } catch (_) { /* not JSON */ }
  error.textContent = detail;
});
fetch('/api/v1/trusts').then((r) => (r.ok ? r.json() : { trusts: [] })).then((body) => {
  if (!body.trusts.length) return;
  const list = document.getElementById('peer-list');
  for (const t of body.trusts) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = t.login_url + '?return=' + encodeURIComponent(back);
    a.textContent = t.display_name;
    li.append(a);
    list.append(li);
  }
  document.getElementById('peers').hidden = false;
});
