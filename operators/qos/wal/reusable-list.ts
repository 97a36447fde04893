/**
 * An append-only list that keeps its storage when it is emptied.
 *
 * Why: a WAL commit queues thousands of records and deletions. Fresh arrays for every commit grow
 * by copying themselves over and over, which at a few hundred thousand events a second was a fifth
 * of everything the WAL allocated (and so of its garbage collection). The store empties a commit's
 * lists once the commit has settled and fills them again for a later one.
 */
export class ReusableList<T> {
  private readonly items: T[] = [];
  length = 0;

  push(item: T): void {
    this.items[this.length++] = item;
  }

  at(index: number): T {
    return this.items[index];
  }

  /** Empties the list, dropping its references so that what it held can be collected. */
  clear(): void {
    this.items.fill(undefined as T, 0, this.length);
    this.length = 0;
  }
}
