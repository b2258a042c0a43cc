// "Find days in a row" on a day meeting's page, imported by app.js where the form is shown: the
// API ranks the runs; they are asked for again after every change to the meeting.
export function trip({ d, t, $, el, fill, dayName }) {
  const form = $('#trip-form');
  async function find() {
    const q = new URLSearchParams({ window: $('#trip-days').value, min_free: $('#trip-min').value || '0' });
    if ($('#trip-start').value !== '0') q.set('weekdays', $('#trip-start').value);
    if ($('#trip-skip').checked) q.set('skip', 'sat,sun');
    const response = await fetch(`${d.api}/meetings/${d.code}/ranking?${q}`).catch(() => null);
    if (!response?.ok) return;
    const body = await response.json();
    const total = body.participants;
    const items = (body.day_windows ?? []).slice(0, 5).map((w, i) => {
      const li = el('li');
      if (!w.required_free) li.className = 'missing';
      const r = el('span', { className: 'rank', textContent: i + 1 });
      r.setAttribute('aria-hidden', 'true');
      const first = dayName.get(w.start_date) ?? w.start_date;
      const last = dayName.get(w.end_date) ?? w.end_date;
      const time = el('time', { textContent: w.start_date === w.end_date ? first : `${first} – ${last}` });
      time.dateTime = w.start_date;
      let text = fill($('#trip').dataset.free, { free: w.free, total, stars: w.starred });
      if (!w.required_free) text += ` · ${t.required_missing}`;
      li.append(r, ' ', time, ' ', el('span', { className: 'counts', textContent: text }));
      return li;
    });
    $('#trip-results').replaceChildren(...items);
    $('#trip-none').hidden = items.length > 0;
  }
  form.addEventListener('submit', (e) => {
    if (!form.checkValidity()) return;
    e.preventDefault();
    find();
  });
  return find;
}
