/** Aborts when the client goes away before its response is complete (e.g. while waiting for a lock). */
export function clientGone(res) {
    const controller = new AbortController();
    res.once('close', () => {
        if (!res.writableFinished)
            controller.abort(new Error('client went away'));
    });
    return controller;
}
//# sourceMappingURL=context.js.map