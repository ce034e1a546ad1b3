/**
 * Something that is due at `dueAt` while it sits in a DeadlineList. The links
 * live on the member itself, so an armed deadline costs four fields instead of
 * a Timeout object with its argument array (about 200 bytes per idle session,
 * measured on Node 20).
 */
export interface DeadlineMember {
  deadlineList: DeadlineList | null;
  deadlinePrev: DeadlineMember | null;
  deadlineNext: DeadlineMember | null;
  dueAt: number;
  /** Called once when due, after the member has left its list; it may join a list again. */
  onDeadline(): void;
}

const CLOCK_ORIGIN = Date.now();

/**
 * Milliseconds since this module loaded: the clock of every `dueAt`. On it a
 * due time stays within V8's small-integer range for 24 days of uptime, so it
 * sits in the member's field; a `Date.now()` value would be a 16-byte heap
 * number per session (measured on Node 20). Past that it is a double again,
 * which costs memory, not correctness.
 */
export function deadlineClock(): number {
  const elapsed = Date.now() - CLOCK_ORIGIN;
  // A difference of two doubles is a heap number even when whole; `| 0` makes it a small integer while it fits.
  return elapsed <= 0x7fffffff ? elapsed | 0 : elapsed;
}

/**
 * Members that share one delay. A member always joins at the tail, so the list
 * stays ordered by due time and one Timeout, aimed at the head, serves all of
 * them: the layout of Node's own timer lists, without a Timeout per member.
 * Joining, leaving and re-joining are O(1) and touch no timer unless the list
 * was idle.
 */
export class DeadlineList {
  #head: DeadlineMember | null = null;
  #tail: DeadlineMember | null = null;
  #timeout: NodeJS.Timeout | null = null;
  #timeoutDelay = 0;
  /** The Timeout is pending; it may aim earlier than the head (a head that left), never later. */
  #pending = false;

  /** `delay` must be at least 1 ms, so a member that re-joins while the list fires is not due again at once. */
  constructor(readonly delay: number) {}

  /** Makes `member` due `delay` from `now` (a `deadlineClock()` reading), leaving whatever list it was in. */
  add(member: DeadlineMember, now: number): void {
    if (member.deadlineList !== null) member.deadlineList.remove(member);
    member.dueAt = now + this.delay;
    member.deadlineList = this;
    member.deadlinePrev = this.#tail;
    member.deadlineNext = null;
    if (this.#tail === null) this.#head = member;
    else this.#tail.deadlineNext = member;
    this.#tail = member;
    if (!this.#pending) this.#aim(this.delay);
  }

  remove(member: DeadlineMember): void {
    if (member.deadlineList !== this) return;
    const { deadlinePrev: prev, deadlineNext: next } = member;
    if (prev === null) this.#head = next;
    else prev.deadlineNext = next;
    if (next === null) this.#tail = prev;
    else next.deadlinePrev = prev;
    member.deadlineList = null;
    member.deadlinePrev = null;
    member.deadlineNext = null;
  }

  get isEmpty(): boolean {
    return this.#head === null;
  }

  #aim(delay: number): void {
    this.#pending = true;
    if (this.#timeout !== null && delay === this.#timeoutDelay) {
      // refresh() re-arms the same Timeout, fired or not, for its original duration.
      this.#timeout.refresh();
      return;
    }
    if (this.#timeout !== null) clearTimeout(this.#timeout);
    this.#timeoutDelay = delay;
    this.#timeout = setTimeout(fireList, delay, this);
    this.#timeout.unref();
  }

  /** Runs every member that is due, then aims the Timeout at the new head. */
  fire(): void {
    this.#pending = false;
    const now = deadlineClock();
    try {
      let head: DeadlineMember | null;
      while ((head = this.#head) !== null && head.dueAt <= now) {
        this.remove(head);
        head.onDeadline();
      }
    } finally {
      // Also after a throw (from an application's `close` listener): the other members stay due.
      if (this.#head !== null && !this.#pending) this.#aim(Math.max(1, this.#head.dueAt - now));
    }
  }
}

function fireList(list: DeadlineList): void {
  list.fire();
}

const listsByDelay = new Map<number, DeadlineList>();

/** The process-wide list for `delay`: there are only a few distinct delays (heartbeat, disconnect, pong). */
export function deadlineList(delay: number): DeadlineList {
  let list = listsByDelay.get(delay);
  if (list === undefined) {
    list = new DeadlineList(delay);
    listsByDelay.set(delay, list);
  }
  return list;
}
