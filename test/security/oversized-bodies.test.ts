import { request as httpRequest } from "node:http";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { appDatabaseKind } from "../support/database";
import { answerBody, seedTwoTeams, signIn, startRater, type SeededTeam } from "./security-fixtures";

// Security: oversized bodies. JSON routes take at most 64 KiB (answers 16 KiB,
// lib/http/route.ts readJson), uploads at most MAX_UPLOAD_BYTES (1 MiB here). A body over the
// limit gets 413 — whether its Content-Length says so up front or it arrives chunked with no
// length at all, in which case the server must stop reading near the limit instead of
// buffering whatever is sent — and nothing is stored.
const UPLOAD_LIMIT = 1024 * 1024;
// What a client may still push before the 413 arrives: socket buffers on both sides and the
// server's read-ahead. Far below the 64 MiB the endless bodies below would send.
const READ_AHEAD_ALLOWANCE = 16 * 1024 * 1024;

interface StreamedAnswer {
  status: number;
  body: string;
  /** Bytes the client had written when the response's status line arrived. */
  writtenBeforeAnswer: number;
}

/**
 * Sends a chunked body (no Content-Length) made of `head` and then `filler` repeated up to
 * `limit` bytes, and stops writing as soon as the server answers.
 */
function streamBody(url: string, path: string, headers: Record<string, string>, head: string, filler: Buffer, limit: number): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const request = httpRequest(new URL(path, url), { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } }, (response) => {
      answered = true;
      const writtenBeforeAnswer = written;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), writtenBeforeAnswer });
        request.destroy();
      });
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && written < limit) {
        const chunk = written === 0 ? Buffer.from(head, "latin1") : filler;
        if (chunk.byteLength === 0) break;
        written += chunk.byteLength;
        if (!request.write(chunk)) return void request.once("drain", pump);
      }
      if (!answered) request.end();
    };
    pump();
  });
}

describe("oversized bodies against the production app", () => {
  let app: RunningApp;
  let first: SeededTeam;

  beforeAll(async () => {
    app = await startApp(appDatabaseKind(), { MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT) }, {
      seed: async (db) => {
        ({ first } = await seedTwoTeams(db));
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("JSON bodies over the limit get 413 body_too_large, declared or streamed", async () => {
    const researcher = await signIn(app, first.email);
    const rater = await startRater(app, first.studyId);
    const trialId = rater.session.next!.trialId;
    const padded = (bytes: number) => "x".repeat(bytes);

    const cases = [
      { client: researcher, method: "POST", path: "/api/studies", json: { name: "Big", padding: padded(100_000) } },
      { client: researcher, method: "PATCH", path: `/api/studies/${first.studyId}`, json: { protocol: { instructions: padded(70_000) } } },
      { client: researcher, method: "POST", path: "/api/team/invitations", json: { email: "x@example.org", padding: padded(1_000_000) } },
      { client: rater.client, method: "POST", path: "/api/rater/sessions", json: { studyId: first.studyId, params: { pad: padded(200_000) } } },
      // Answers are small: 16 KiB is their limit.
      { client: rater.client, method: "POST", path: `/api/rater/trials/${trialId}/answer`, json: { ...answerBody("oversized-answer"), padding: padded(20_000) } },
    ];
    for (const { client, method, path, json } of cases) {
      const response = await client.request(method, path, { json });
      expect(response.status, `${method} ${path}`).toBe(413);
      expect(response.data.code).toBe("body_too_large");
    }

    // No Content-Length: an endless JSON string. The server answers once it has read 64 KiB.
    const streamed = await streamBody(app.url, "/api/auth/sign-in", { "content-type": "application/json" }, '{"email":"', Buffer.alloc(64 * 1024, "a"), 64 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.writtenBeforeAnswer).toBeLessThan(READ_AHEAD_ALLOWANCE);
  });

  it("uploads over MAX_UPLOAD_BYTES get 413, declared or streamed, and nothing is stored", async () => {
    const researcher = await signIn(app, first.email);
    const cookie = `ctt_session=${researcher.cookie("ctt_session")}`;
    const boundary = "----oversized-upload-boundary";
    const part = (name: string, filename: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`;

    for (const path of [`/api/studies/${first.studyId}/stimuli`, `/api/studies/${first.studyId}/methods/upload`]) {
      // Declared: a 2 MiB form.
      const form = new FormData();
      form.set("name", "Too big");
      form.set("files", new Blob([new Uint8Array(2 * UPLOAD_LIMIT)], { type: "image/jpeg" }), "img000.jpg");
      const declared = await researcher.request("POST", path, { body: form });
      expect(declared.status, path).toBe(413);
      expect(declared.data.code).toBe("body_too_large");

      // Streamed without a length: a file that never ends.
      const streamed = await streamBody(app.url, path, { "content-type": `multipart/form-data; boundary=${boundary}`, cookie }, part("files", "img000.jpg"), Buffer.alloc(64 * 1024, 7), 64 * 1024 * 1024);
      expect(streamed.status, `${path}: ${streamed.body.slice(0, 200)} after ${streamed.writtenBeforeAnswer} bytes`).toBe(413);
      expect(streamed.writtenBeforeAnswer, path).toBeLessThan(READ_AHEAD_ALLOWANCE);
    }
  });

  it("uploads under the limit still work, declared or streamed", async () => {
    const researcher = await signIn(app, first.email);
    const draft = await researcher.post("/api/studies", { name: "Draft for uploads" });
    expect(draft.status).toBe(201);
    const photo = (hue: number) => sharp({ create: { width: 96, height: 96, channels: 3, background: { r: hue, g: 255 - hue, b: 90 } } }).jpeg().toBuffer();
    const form = new FormData();
    form.set("files", new Blob([new Uint8Array(await photo(30))], { type: "image/jpeg" }), "small-a.jpg");
    const declared = await researcher.request("POST", `/api/studies/${draft.data.study.id}/stimuli`, { body: form });
    expect(declared.status, declared.raw).toBe(201);
    const boundary = "----small-upload-boundary";
    const bytes = await photo(200);
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="small-b.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const streamed = await streamBody(app.url, `/api/studies/${draft.data.study.id}/stimuli`, { "content-type": `multipart/form-data; boundary=${boundary}`, cookie: `ctt_session=${researcher.cookie("ctt_session")}` }, body.toString("latin1"), Buffer.alloc(0), body.byteLength);
    expect(streamed.status, streamed.body).toBe(201);
  });

  it("nothing from the oversized requests was stored", async () => {
    const state = await app.inspectAfterStop(async (db) => ({
      studies: await db.study.count(),
      stimuli: await db.stimulusImage.count({ where: { studyId: first.studyId } }),
      methods: await db.method.count({ where: { studyId: first.studyId } }),
      invitations: await db.invitation.count(),
      responses: await db.response.count(),
      instructions: ((await db.study.findUniqueOrThrow({ where: { id: first.studyId }, select: { protocol: true } })).protocol as { instructions: string }).instructions.length,
    }));
    // The two seeded studies and the draft of the upload test.
    expect(state.studies).toBe(3);
    expect(state.stimuli).toBe(8);
    expect(state.methods).toBe(2);
    expect(state.invitations).toBe(0);
    expect(state.responses).toBe(0);
    expect(state.instructions).toBeLessThan(70_000);
  });
});
