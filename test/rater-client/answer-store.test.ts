import { describe, expect, it } from "vitest";
import {
  clearPendingAnswer,
  loadPendingAnswer,
  markTrialExposed,
  savePendingAnswer,
  wasTrialExposed,
  type KeyValueStorage,
  type PendingAnswer,
} from "@/lib/rater-client/answer-store";

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const pending: PendingAnswer = {
  trialId: "t1",
  body: {
    idempotencyKey: "0f8fad5b-d9cb-469f-a165-70867728950e",
    chosenSide: "right",
    responseTimeMs: 640.25,
    timing: { frameIntervalMs: 16.67, exposureLeftMs: 1000, exposureRightMs: 1000, onsets: { left: 500, right: 2100 }, offsets: { left: 1500, right: 3100 }, flagged: false, refreshHz: 60 },
  },
};

describe("the pending answer", () => {
  it("survives a reload (same body, same key) until cleared, per study", () => {
    const storage = memoryStorage();
    savePendingAnswer(storage, "study-a", pending);
    expect(loadPendingAnswer(storage, "study-a")).toEqual(pending);
    expect(loadPendingAnswer(storage, "study-b")).toBeNull();
    clearPendingAnswer(storage, "study-a");
    expect(loadPendingAnswer(storage, "study-a")).toBeNull();
  });

  it("reads anything unreadable as nothing", () => {
    const storage = memoryStorage();
    storage.setItem("ctt:pending-answer:s", "{not json");
    expect(loadPendingAnswer(storage, "s")).toBeNull();
    storage.setItem("ctt:pending-answer:s", JSON.stringify({ trialId: "t", body: { chosenSide: "up" } }));
    expect(loadPendingAnswer(storage, "s")).toBeNull();
  });

  it("never throws when the browser refuses storage", () => {
    const refusing: KeyValueStorage = {
      getItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
      setItem: () => {
        throw new DOMException("full", "QuotaExceededError");
      },
      removeItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
    };
    expect(() => savePendingAnswer(refusing, "s", pending)).not.toThrow();
    expect(loadPendingAnswer(refusing, "s")).toBeNull();
    expect(() => clearPendingAnswer(refusing, "s")).not.toThrow();
    expect(() => markTrialExposed(refusing, "s", "t")).not.toThrow();
    expect(wasTrialExposed(refusing, "s", "t")).toBe(false);
  });
});

describe("exposed trials", () => {
  it("remembers the last 8 trials shown in this browser", () => {
    const storage = memoryStorage();
    for (let i = 1; i <= 10; i++) markTrialExposed(storage, "s", `t${i}`);
    markTrialExposed(storage, "s", "t10"); // shown twice: remembered once
    expect(wasTrialExposed(storage, "s", "t10")).toBe(true);
    expect(wasTrialExposed(storage, "s", "t3")).toBe(true);
    expect(wasTrialExposed(storage, "s", "t2")).toBe(false);
    expect(wasTrialExposed(storage, "other", "t10")).toBe(false);
    expect(JSON.parse(storage.data.get("ctt:exposed-trials:s") ?? "[]")).toHaveLength(8);
  });
});
