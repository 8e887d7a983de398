/* The grid editor's session: a stack of drafts for undo and redo, kept in localStorage per user and
 * community so that a reload loses nothing. A draft is the server's GeoJSON FeatureCollection (CGCS2000
 * lon/lat, each feature with code, name, grid_id and live stats); `base` is code -> grid row id as loaded,
 * sent with the submission so the server can tell whether someone else changed the grids meanwhile.
 */
const KEEP = 50; // drafts kept for undo

class DraftStack {
  /** entries: [{draft, changed: [codes], removed: [codes], label}], the first being the loaded grids. */
  constructor(storageKey) {
    this.storageKey = storageKey;
    this.base = {};
    this.entries = [];
    this.index = -1;
    this.savedAt = null;
  }

  /** Start over from the grids as the server has them now. */
  reset(draft, base) {
    this.base = base;
    this.entries = [{ draft, changed: [], removed: [], label: "现行网格" }];
    this.index = 0;
    this.forget();
  }

  current() {
    return this.entries[this.index];
  }

  push(entry) {
    this.entries = this.entries.slice(0, this.index + 1);
    this.entries.push(entry);
    if (this.entries.length > KEEP) this.entries.splice(1, this.entries.length - KEEP); // keep the original
    this.index = this.entries.length - 1;
    this.save();
  }

  canUndo() {
    return this.index > 0;
  }

  canRedo() {
    return this.index < this.entries.length - 1;
  }

  undo() {
    if (this.canUndo()) this.index -= 1;
    this.save();
    return this.current();
  }

  redo() {
    if (this.canRedo()) this.index += 1;
    this.save();
    return this.current();
  }

  /** Whether the current draft differs from the loaded grids. */
  dirty() {
    return this.index > 0;
  }

  /** Codes changed or added since the loaded grids (still present), and loaded codes now removed. */
  touched() {
    const changed = new Set();
    const removed = new Set();
    for (const entry of this.entries.slice(1, this.index + 1)) {
      entry.changed.forEach((c) => changed.add(c));
      entry.removed.forEach((c) => removed.add(c));
    }
    const present = new Set(this.current().draft.features.map((f) => f.properties.code));
    return {
      changed: [...changed].filter((c) => present.has(c)).sort(),
      removed: [...removed].filter((c) => !present.has(c) && c in this.base).sort(),
    };
  }

  save() {
    if (!this.storageKey) return;
    try {
      if (this.entries.length > 1) {
        this.savedAt = new Date().toISOString();
        localStorage.setItem(this.storageKey, JSON.stringify({
          version: 1, base: this.base, entries: this.entries, index: this.index, savedAt: this.savedAt }));
      } else {
        this.forget();
      }
    } catch (error) {
      // storage full or disabled: the session still works, it just will not survive a reload
    }
  }

  /** Load a saved session; returns whether there was one with edits in it. */
  restore() {
    try {
      const saved = JSON.parse(localStorage.getItem(this.storageKey) || "null");
      if (!saved || saved.version !== 1 || !Array.isArray(saved.entries) || saved.entries.length < 2) return false;
      this.base = saved.base || {};
      this.entries = saved.entries;
      this.index = Math.min(Math.max(saved.index | 0, 0), saved.entries.length - 1);
      this.savedAt = saved.savedAt;
      return true;
    } catch (error) {
      return false;
    }
  }

  forget() {
    try {
      localStorage.removeItem(this.storageKey);
    } catch (error) {
      // nothing saved
    }
  }
}

export { DraftStack };
