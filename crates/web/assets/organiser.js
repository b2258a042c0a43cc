// The creator's and organiser's part of the meeting page, loaded by app.js only in their
// browser: the share card shown after creating, and with the organiser key the controls (change
// the range, settle on a date, delete the meeting), whose panel the server renders on request.
// Returns what app.js calls after each render, with every day ranked as [date, label].
export async function organiser({ d, t, key, $, el, parse, daysBetween, detailOf, gone, apply }) {
  // Share card
  const link = $('#share-link');
  if (link) {
    const url = `${location.origin}/m/${d.code}`;
    link.value = url;
    const copy = $('#copy');
    if (navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(url);
        } catch {
          link.select();
          document.execCommand('copy');
        }
        $('#copy-status').textContent = t.copied;
      });
    }
    const share = $('#share');
    if (navigator.share) {
      share.hidden = false;
      share.addEventListener('click', () => navigator.share({ title: document.title, url }).catch(() => {}));
    }
  }
  if (!key) return null;
  const response = await fetch(`/m/${d.code}/organiser`).catch(() => null);
  if (!response?.ok) return null;
  const holder = $('#organiser');
  holder.outerHTML = await response.text();
  const words = $('#organiser').dataset;
  const auth = { authorization: `Bearer ${key}` };
  const orgLink = $('#organiser-link');
  orgLink.value = `${location.origin}/m/${d.code}#organiser=${key}`;
  const status = $('#org-status');
  const say = (text, good) => {
    status.textContent = text;
    status.className = `status ${good ? 'good' : 'bad'}`;
  };
  $('#organiser-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(orgLink.value);
    } catch {
      orgLink.select();
      document.execCommand('copy');
    }
    say(t.copied, true);
  });
  $('#org-final-slot')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { start: $('#org-slot').value, minutes: Number($('#org-minutes').value) };
    const response = await fetch(`${d.api}/meetings/${d.code}/final_slot`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(body),
    }).catch(() => null);
    if (!response?.ok) return say(await detailOf(response), false);
    apply(await response.json());
    say(t.saved, true);
  });
  $('#org-unfinal-slot')?.addEventListener('click', async () => {
    const response = await fetch(`${d.api}/meetings/${d.code}/final_slot`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ start: null }),
    }).catch(() => null);
    if (!response?.ok) return say(await detailOf(response), false);
    apply(await response.json());
    say(t.saved, true);
  });
  $('#org-range')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const [start, end] = [$('#org-start').value, $('#org-end').value];
    const span = daysBetween(parse(start), parse(end));
    if (span < 0 || span > 62) return say(span < 0 ? words.reversed : words.tooLong, false);
    if (!confirm(words.confirmRange)) return;
    const response = await fetch(`${d.api}/meetings/${d.code}/date_range`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ start_date: start, end_date: end }),
    }).catch(() => null);
    if (!response?.ok) return say(await detailOf(response), false);
    // The grids follow the range: the server draws them again.
    location.reload();
  });
  const finalize = async (date) => {
    const response = await fetch(`${d.api}/meetings/${d.code}/final_date`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ date }),
    }).catch(() => null);
    if (!response?.ok) return say(await detailOf(response), false);
    const etag = Number((response.headers.get('etag') ?? '').replaceAll('"', ''));
    apply(await response.json(), etag || undefined);
    say(t.saved, true);
  };
  $('#org-final')?.addEventListener('submit', (e) => {
    e.preventDefault();
    finalize($('#org-final-date').value);
  });
  $('#org-unfinal')?.addEventListener('click', () => finalize(null));
  // The deadline: a wall time in the browser's zone (a time meeting's: in its own zone).
  const deadline = async (body) => {
    const response = await fetch(`${d.api}/meetings/${d.code}/deadline`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(body),
    }).catch(() => null);
    if (!response?.ok) return say(await detailOf(response), false);
    // Opening or closing answers changes the page: app.js draws it anew.
    apply(await response.json());
    say(t.saved, true);
  };
  const deadlineForm = $('#org-deadline-form');
  const zone = deadlineForm.dataset.times === 'true' ? undefined : Intl.DateTimeFormat().resolvedOptions().timeZone;
  const afterDays = () => $('#org-after-days').checked;
  deadlineForm.addEventListener('submit', (e) => {
    e.preventDefault();
    deadline({ deadline: $('#org-deadline').value || null, time_zone: zone, close_after_last_day: afterDays() });
  });
  $('#org-close-now').addEventListener('click', () => deadline({ deadline: 'now', time_zone: zone, close_after_last_day: afterDays() }));
  $('#org-reopen').addEventListener('click', () => deadline({ deadline: null, close_after_last_day: false }));
  $('#org-duplicate').addEventListener('submit', async (e) => {
    e.preventDefault();
    const response = await fetch(`${d.api}/meetings/${d.code}/duplicate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ shift_weeks: Number($('#org-weeks').value) }),
    }).catch(() => null);
    if (!response?.ok) return say(await detailOf(response), false);
    // The copy's own organiser link: its page keeps the key in this browser.
    const copy = await response.json();
    location.assign(`/m/${copy.url_code}#organiser=${copy.organiser_key}`);
  });
  $('#org-delete').addEventListener('click', async () => {
    if (!confirm(words.confirmDelete)) return;
    const response = await fetch(`${d.api}/meetings/${d.code}`, { method: 'DELETE', headers: auth }).catch(() => null);
    if (response?.status === 204 || response?.status === 404) gone();
    else say(await detailOf(response), false);
  });
  // People the meeting needs: a checkbox each, sent as soon as it changes.
  const needed = $('#org-required-list');
  needed?.addEventListener('change', async (e) => {
    const box = e.target.closest('input[type=checkbox]');
    if (!box) return;
    const response = await fetch(`${d.api}/meetings/${d.code}/participants/${box.dataset.id}/required`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ required: box.checked }),
    }).catch(() => null);
    if (!response?.ok) {
      box.checked = !box.checked;
      return say(await detailOf(response), false);
    }
    const etag = Number((response.headers.get('etag') ?? '').replaceAll('"', ''));
    apply(await response.json(), etag || undefined);
    say(t.saved, true);
  });
  const drawNeeded = (meeting) => {
    if (!needed || needed.contains(document.activeElement)) return;
    const now = meeting.participants.map((p) => `${p.id}:${p.name}:${p.required}`).join();
    if (needed.dataset.drawn === now) return;
    needed.dataset.drawn = now;
    needed.closest('fieldset').hidden = meeting.participants.length === 0;
    needed.replaceChildren(...meeting.participants.map((p) => {
      const box = el('input', { type: 'checkbox', checked: !!p.required });
      box.dataset.id = p.id;
      const label = el('label', { className: 'check' });
      label.append(box, ` ${p.name}`);
      return label;
    }));
  };
  const pick = $('#org-final-date');
  return (days, meeting) => {
    drawNeeded(meeting);
    if (!pick || pick.matches(':focus')) return;
    const chosen = pick.value || meeting.final_date;
    pick.replaceChildren(...days.map(([value, textContent]) => el('option', { value, textContent, selected: value === chosen })));
  };
}
