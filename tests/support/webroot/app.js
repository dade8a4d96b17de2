// Region search on the landing page, against the public API.
const form = document.getElementById('search');
const list = document.getElementById('results');
async function search(q) {
  list.textContent = '';
  const res = await fetch('/api/v1/regions/search?limit=20&q=' + encodeURIComponent(q));
  const body = await res.json();
  if (!res.ok) {
    const li = document.createElement('li');
    li.textContent = body.detail || body.title;
    list.append(li);
    return;
  }
  for (const r of body.items) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '/api/v1/regions/' + r.code + '/path';
    a.textContent = r.name;
    const small = document.createElement('small');
    small.textContent = ' ' + r.code + ' · ' + r.level;
    li.append(a, small);
    list.append(li);
  }
}
form.addEventListener('submit', (e) => { e.preventDefault(); search(document.getElementById('q').value); });
