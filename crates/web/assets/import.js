// Busy days (or slots) from a calendar file, on the view that offers it: the file goes to the
// API, which reads it and keeps nothing; the days it has events on are unticked in the answer
// grid and outlined for review, and nothing is saved until Save.
const data = JSON.parse((document.getElementById('page-data') ?? document.getElementById('times-data')).textContent);
const card = document.getElementById('import');
const input = document.getElementById('ics-file');
const status = document.getElementById('import-status');
const say = (text, good) => {
  status.textContent = text;
  status.className = `status ${good ? 'good' : 'bad'}`;
};
input.addEventListener('change', async () => {
  const file = input.files[0];
  if (!file) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const response = await fetch(`${data.api}/meetings/${data.code}/calendar_busy?time_zone=${encodeURIComponent(zone)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/calendar' },
    body: file,
  }).catch(() => null);
  const body = await response?.json().catch(() => null);
  if (!response?.ok) {
    return say(typeof body?.detail === 'string' ? body.detail : body?.detail?.[0]?.msg ?? data.t.save_failed, false);
  }
  let marked = 0;
  for (const value of body.busy) {
    const free = document.querySelector(`#answer input[name=free][value="${value}"], #times-answer input[name=free][value="${value}"]`);
    if (!free) continue;
    const cell = free.closest('td');
    for (const box of cell.querySelectorAll('input')) box.checked = false;
    // Outlined, not only coloured: these are the ones to look at before saving.
    cell.style.outline = '3px dashed currentColor';
    cell.style.outlineOffset = '-3px';
    marked += 1;
  }
  say((marked ? card.dataset.busy : card.dataset.none).replace('{n}', marked), true);
});
