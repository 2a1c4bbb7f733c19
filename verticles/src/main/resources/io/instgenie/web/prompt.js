// The prompt field: words checked against the model's vocabulary as the service checks them
// (lower-cased, split on white space), and completion of the word at the caret.

const MAX_OPTIONS = 8;

/** The prompt's words, as the service reads them. */
export function words(text) {
  const t = text.trim().toLowerCase();
  return t === '' ? [] : t.split(/\s+/);
}

/** What the service would say of this prompt: unknown words and whether there are too many. */
export function check(text, vocabulary, maxWords) {
  const known = new Set(vocabulary);
  const ws = words(text);
  return {
    words: ws,
    unknown: [...new Set(ws.filter((w) => !known.has(w)))],
    tooMany: ws.length > maxWords,
    ok: ws.every((w) => known.has(w)) && ws.length <= maxWords,
  };
}

export class PromptField {
  constructor({ input, list, status }) {
    this.input = input;
    this.list = list;
    this.status = status;
    this.vocabulary = [];
    this.maxWords = 0;
    this.options = [];
    this.active = -1;
    input.addEventListener('input', () => {
      this.validate();
      this.suggest();
    });
    input.addEventListener('keydown', (e) => this.onKey(e));
    // closed a moment after the field loses the focus (a click on an option lands first), unless
    // the focus has come back by then
    input.addEventListener('blur', () =>
      setTimeout(() => {
        if (document.activeElement !== input) this.close();
      }, 150),
    );
    input.addEventListener('click', () => this.suggest());
  }

  setModel(vocabulary, maxWords) {
    this.vocabulary = [...vocabulary].sort();
    this.maxWords = maxWords;
    this.validate();
  }

  set value(text) {
    this.input.value = text;
    this.validate();
  }

  get value() {
    return this.input.value;
  }

  /** Marks the field and lists its words, unknown ones flagged; answers the check. */
  validate() {
    const c = check(this.input.value, this.vocabulary, this.maxWords);
    this.input.setAttribute('aria-invalid', String(!c.ok));
    this.status.replaceChildren();
    if (c.words.length === 0) {
      this.status.textContent = `Up to ${this.maxWords} words from the model's vocabulary; empty fills the mask without a prompt.`;
      this.status.className = 'small muted';
      return c;
    }
    this.status.className = 'small';
    for (const w of c.words) {
      const chip = document.createElement('span');
      const unknown = c.unknown.includes(w);
      chip.className = unknown ? 'word unknown' : 'word';
      chip.textContent = unknown ? `${w} (unknown)` : w;
      this.status.append(chip);
    }
    const notes = [];
    if (c.unknown.length) {
      notes.push(
        `Unknown word${c.unknown.length > 1 ? 's' : ''}: ${c.unknown.join(', ')}. ` +
          `The model knows: ${this.vocabulary.join(', ')}.`,
      );
    }
    if (c.tooMany) notes.push(`${c.words.length} words; the model takes at most ${this.maxWords}.`);
    if (notes.length) {
      const p = document.createElement('span');
      p.className = 'prompt-problem';
      p.textContent = ` ${notes.join(' ')}`;
      this.status.append(p);
    }
    return c;
  }

  /** The partial word before the caret: [start, end) in the field's text. */
  fragment() {
    const text = this.input.value;
    const end = this.input.selectionStart ?? text.length;
    let start = end;
    while (start > 0 && !/\s/.test(text[start - 1])) start--;
    return { start, end, text: text.slice(start, end).toLowerCase() };
  }

  suggest() {
    const f = this.fragment();
    const matches = f.text === '' ? [] : this.vocabulary.filter((w) => w.startsWith(f.text));
    if (matches.length === 0 || (matches.length === 1 && matches[0] === f.text)) {
      this.close();
      return;
    }
    this.options = matches.slice(0, MAX_OPTIONS);
    this.active = -1;
    this.list.replaceChildren(
      ...this.options.map((w, i) => {
        const li = document.createElement('li');
        li.id = `prompt-option-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.textContent = w;
        li.addEventListener('mousedown', (e) => {
          e.preventDefault(); // keep the focus in the field
          this.accept(w);
        });
        return li;
      }),
    );
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  close() {
    this.list.hidden = true;
    this.options = [];
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  highlight(i) {
    this.active = i;
    [...this.list.children].forEach((li, k) => li.setAttribute('aria-selected', String(k === i)));
    if (i >= 0) {
      this.input.setAttribute('aria-activedescendant', `prompt-option-${i}`);
      this.list.children[i].scrollIntoView({ block: 'nearest' });
    }
  }

  /** Replaces the partial word at the caret with `word` and a space. */
  accept(word) {
    const f = this.fragment();
    const text = this.input.value;
    const after = text.slice(f.end).replace(/^\S*/, '');
    const before = text.slice(0, f.start) + word + ' ';
    this.input.value = before + after.replace(/^\s+/, '');
    this.input.setSelectionRange(before.length, before.length);
    this.close();
    this.validate();
  }

  onKey(e) {
    if (this.list.hidden) {
      if (e.key === 'ArrowDown') {
        this.suggest();
        if (!this.list.hidden) this.highlight(0);
        e.preventDefault();
      }
      return;
    }
    const n = this.options.length;
    if (e.key === 'ArrowDown') {
      this.highlight((this.active + 1) % n);
    } else if (e.key === 'ArrowUp') {
      this.highlight((this.active - 1 + n) % n);
    } else if ((e.key === 'Enter' || e.key === 'Tab') && this.active >= 0) {
      this.accept(this.options[this.active]);
    } else if (e.key === 'Tab' && n === 1) {
      this.accept(this.options[0]);
    } else if (e.key === 'Escape') {
      this.close();
    } else {
      return;
    }
    e.preventDefault();
  }
}
