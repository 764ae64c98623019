package dev.conveyor.web;

/**
 * Ends a request with a status and a one-line message: rendered as a page for browsers and as
 * {@code {"error": "..."}} for the API. The message never contains job data.
 */
final class HttpProblem extends RuntimeException {
    private final int status;

    HttpProblem(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static HttpProblem notFound(String what) {
        return new HttpProblem(404, what);
    }

    static HttpProblem badRequest(String why) {
        return new HttpProblem(400, why);
    }
}
