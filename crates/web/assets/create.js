// The create page's script (imported by app.js there only): quick picks, and the range checked
// as it is chosen (end not before start, at most 62 days).
export function createPage({ createForm, $, $$, fill, iso, parse, daysBetween }) {
  // A time meeting's zone: this browser's, unless the page came back with the person's own.
  const zone = $('#zone');
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && browserZone && !$('.errors')) zone.value = browserZone;
  const start = $('#start');
  const end = $('#end');
  const status = $('#range-status');
  const today = new Date();
  start.min = end.min = iso(today);
  const check = () => {
    let message = '';
    let bad = false;
    if (start.value && end.value) {
      const span = daysBetween(parse(start.value), parse(end.value));
      if (span < 0) [message, bad] = [status.dataset.reversed, true];
      else if (span > 62) [message, bad] = [status.dataset.tooLong, true];
      else message = span === 0 ? status.dataset.chosenOne : fill(status.dataset.chosen, { n: span + 1 });
    }
    end.setCustomValidity(bad ? message : '');
    end.setAttribute('aria-invalid', String(bad));
    status.textContent = message;
    status.className = `status ${bad ? 'bad' : 'good'}`;
    return !bad;
  };
  const picks = {
    '4w': () => [today, new Date(today.getFullYear(), today.getMonth(), today.getDate() + 27)],
    this: () => [today, new Date(today.getFullYear(), today.getMonth() + 1, 0)],
    next: () => [new Date(today.getFullYear(), today.getMonth() + 1, 1), new Date(today.getFullYear(), today.getMonth() + 2, 0)],
  };
  for (const button of $$('.pick', createForm)) {
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', (e) => {
      e.preventDefault();
      const [s, t] = picks[button.dataset.pick]();
      start.value = iso(s);
      end.value = iso(t);
      for (const b of $$('.pick', createForm)) b.setAttribute('aria-pressed', String(b === button));
      check();
    });
  }
  for (const input of [start, end]) {
    input.addEventListener('change', () => {
      for (const b of $$('.pick', createForm)) b.setAttribute('aria-pressed', 'false');
      if (input === start && start.value && (!end.value || end.value < start.value)) end.min = start.value;
      check();
    });
  }
  createForm.addEventListener('submit', (e) => {
    if (e.submitter?.name === 'pick') return;
    if (!start.value || !end.value || !check()) {
      e.preventDefault();
      (start.value ? end : start).focus();
      if (!start.value || !end.value) status.textContent = createForm.querySelector('legend').textContent;
      status.className = 'status bad';
    }
  });
}
