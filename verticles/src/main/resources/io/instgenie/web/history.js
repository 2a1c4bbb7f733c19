// The edits made from this browser tab, kept in sessionStorage (which is per tab) so that a
// reload keeps the list.

const KEY = 'instgenie.edits';
const KEPT = 30;
const FINISHED = new Set(['completed', 'failed', 'cancelled', 'error']);

export class History {
  constructor({ list, empty, onShow }) {
    this.list = list;
    this.empty = empty;
    this.onShow = onShow;
    try {
      this.entries = JSON.parse(sessionStorage.getItem(KEY) || '[]');
    } catch (e) {
      this.entries = [];
    }
    this.render();
  }

  /** Entries that were still running when the page was last left. */
  unfinished() {
    return this.entries.filter((e) => !FINISHED.has(e.status));
  }

  get(id) {
    return this.entries.find((e) => e.id === id);
  }

  add(entry) {
    this.entries.unshift(entry);
    this.entries.length = Math.min(this.entries.length, KEPT);
    this.save();
  }

  update(id, patch) {
    const e = this.get(id);
    if (!e) return;
    Object.assign(e, patch);
    this.save();
  }

  save() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify(this.entries));
    } catch (e) {
      // storage full or refused: the list still lives in memory for this page
    }
    this.render();
  }

  render() {
    this.empty.hidden = this.entries.length > 0;
    this.list.replaceChildren(...this.entries.map((e) => this.row(e)));
  }

  row(e) {
    const li = document.createElement('li');
    li.dataset.id = e.id;
    li.dataset.status = e.status;
    const badge = document.createElement('span');
    badge.className = `badge ${e.status}`;
    badge.textContent = e.status;
    const prompt = document.createElement('span');
    prompt.className = 'prompt';
    prompt.textContent = e.prompt ? `“${e.prompt}”` : '(no prompt)';
    const facts = document.createElement('span');
    facts.className = 'muted';
    const when = new Date(e.created).toLocaleTimeString();
    facts.textContent = `${e.steps} steps · seed ${e.seed ?? '?'} · ${when}`;
    li.append(badge, prompt, facts);
    if (e.status === 'completed') {
      const show = document.createElement('button');
      show.type = 'button';
      show.textContent = 'Show';
      show.setAttribute('aria-label', `Show the result of “${e.prompt}” from ${when}`);
      show.addEventListener('click', () => this.onShow(e));
      li.append(show);
    } else if (e.error) {
      const why = document.createElement('span');
      why.className = 'small';
      why.textContent = e.error;
      li.append(why);
    }
    return li;
  }
}
