package dev.conveyor.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: a header row, columns padded to their widest cell, numbers aligned right. */
final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
    }

    Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(
                    "row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        List<String> r = new ArrayList<>(cells.length);
        for (Object c : cells) r.add(c == null ? "-" : String.valueOf(c));
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        int n = headers.size();
        int[] width = new int[n];
        boolean[] numeric = new boolean[n];
        for (int i = 0; i < n; i++) {
            width[i] = headers.get(i).length();
            numeric[i] = !rows.isEmpty();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
                if (!r.get(i).matches("-?\\d+")) numeric[i] = false;
            }
        }
        line(out, headers, width, numeric);
        for (List<String> r : rows) line(out, r, width, numeric);
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] width, boolean[] numeric) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            boolean last = i == cells.size() - 1;
            String pad = " ".repeat(width[i] - c.length());
            if (numeric[i]) sb.append(pad).append(c);
            else sb.append(c).append(last ? "" : pad);
            if (!last) sb.append("  ");
        }
        out.println(sb.toString().stripTrailing());
    }
}
