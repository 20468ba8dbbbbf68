// The Worker's entry (wrangler.toml `main`). The Worker itself only routes: every request
// that is not a file in www/ goes to the one Durable Object, whose code is the Rust bundle
// worker-build made (worker/build/). Routing stays in JS so that a Rust panic cannot take the
// Worker's own request down with it: a panic traps the wasm instance in the middle of a
// future, and the Worker and the object share that instance whenever they share an isolate
// (always under `wrangler dev`).
//
// Every call into the object is raced against a panic: the panic hook (worker/src/panic.rs)
// calls `__edgefluxOnPanic` before the trap, and the calls in flight are answered here,
// `fetch` with InfluxDB's 500 `internal error` JSON, other methods by rejecting; otherwise
// workerd would cancel them as hung. workers-rs rebuilds the instance on the next call and
// the object restores from its storage.
import { EngineObject as RustEngineObject } from "./build/index.js";

/** The name of the single engine object (a future catalog/shard split names more). */
const ENGINE_OBJECT_NAME = "default";

export default {
  fetch(request, env) {
    return env.ENGINE.getByName(ENGINE_OBJECT_NAME).fetch(request);
  },
};

/** Calls into the object in flight, each waiting to hear of a panic. */
const inFlight = new Set();

globalThis.__edgefluxOnPanic = (message) => {
  for (const settle of [...inFlight]) settle(message);
};

function panicResponse(message) {
  return new Response(JSON.stringify({ code: "internal error", message }), {
    status: 500,
    headers: { "Content-Type": "application/json; charset=utf-8", "X-Platform-Error-Code": "internal error" },
  });
}

function guarded(call, onPanic) {
  return new Promise((resolve, reject) => {
    const settle = (message) => {
      try {
        resolve(onPanic(message));
      } catch (e) {
        reject(e);
      }
    };
    inFlight.add(settle);
    Promise.resolve()
      .then(call)
      .then(resolve, reject)
      .finally(() => inFlight.delete(settle));
  });
}

/** The object class with every method of its instances guarded. */
export const EngineObject = new Proxy(RustEngineObject, {
  construct(target, args) {
    const object = Reflect.construct(target, args);
    return new Proxy(object, {
      get(obj, prop) {
        const value = Reflect.get(obj, prop);
        if (typeof value !== "function") return value;
        const onPanic = prop === "fetch" ? panicResponse : (message) => { throw new Error(message); };
        return (...a) => guarded(() => value.apply(obj, a), onPanic);
      },
    });
  },
});
