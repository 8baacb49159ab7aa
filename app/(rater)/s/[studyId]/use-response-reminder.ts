"use client";

import { useEffect, useState } from "react";

/**
 * Whether the optional response-time limit has passed since the answer opened. A reminder only:
 * the 2AFC has no "no answer", so a late answer still counts and its response time tells the
 * analysis it was late.
 */
export function useResponseReminder(answerOpen: boolean, limitMs: number | null): boolean {
  const [overdue, setOverdue] = useState(false);
  useEffect(() => {
    if (!answerOpen || limitMs === null) return;
    const timer = setTimeout(() => setOverdue(true), limitMs);
    return () => clearTimeout(timer);
  }, [answerOpen, limitMs]);
  return overdue;
}
