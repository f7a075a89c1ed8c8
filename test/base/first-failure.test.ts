import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FirstFailure } from "../../src/base/first-failure.js";

describe("FirstFailure", () => {
  it("has no error until it fails, and `failed` stays pending", async () => {
    const failure = new FirstFailure();
    expect(failure.error).toBeUndefined();
    const winner = await Promise.race([failure.failed, Promise.resolve("pending")]);
    expect(winner).toBe("pending");
  });

  it("rejects `failed` with the first error and keeps it when later errors come", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), async (messages) => {
        const failure = new FirstFailure();
        const errors = messages.map((m) => new Error(m));
        for (const e of errors) failure.fail(e);
        expect(failure.error).toBe(errors[0]);
        await expect(failure.failed).rejects.toBe(errors[0]);
      }),
    );
  });

  it("fails through a detached `fail` (it is handed out as a callback)", async () => {
    const failure = new FirstFailure();
    const error = new Error("lost");
    const { fail } = failure;
    Promise.reject(error).catch(fail);
    await expect(failure.failed).rejects.toBe(error);
  });
});
