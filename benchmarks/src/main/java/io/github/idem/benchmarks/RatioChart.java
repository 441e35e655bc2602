package io.github.idem.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * Draws a report's ratio rows as a horizontal bar chart in plain SVG, with error bars and goals.
 */
final class RatioChart {
  private RatioChart() {}

  static String render(String engine, List<Report.Row> rows) {
    int labelWidth = 560;
    int plotWidth = 420;
    int rowHeight = 18;
    int top = 40;
    int height = top + rows.size() * rowHeight + 40;
    double max = 2.0;
    for (Report.Row r : rows) {
      double hi = r.ratio() + (Double.isNaN(r.error()) ? 0 : r.error());
      max = Math.max(max, Math.min(hi, 6.0));
    }
    max *= 1.05;
    StringBuilder s = new StringBuilder();
    s.append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " font-family=\"sans-serif\" font-size=\"11\">\n",
                labelWidth + plotWidth + 20,
                height))
        .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
        .append(
            String.format(
                Locale.ROOT,
                "<text x=\"10\" y=\"20\" font-size=\"14\">%s: candidate ÷ baseline latency"
                    + " (lower is better); bar ± error, black tick = goal, dashed = 1.0</text>\n",
                esc(engine)));
    double x0 = labelWidth;
    double one = x0 + plotWidth * (1.0 / max);
    for (int i = 0; i < rows.size(); i++) {
      Report.Row r = rows.get(i);
      double y = top + i * rowHeight;
      String label =
          r.def().label()
              + " [t"
              + r.threads()
              + (r.params().isEmpty() ? "" : ", " + r.params())
              + "]";
      String verdict = r.verdict(engine);
      String color =
          verdict.isEmpty() ? "#9aa5b1" : verdict.contains("missed") ? "#d9534f" : "#5cb85c";
      double w = plotWidth * Math.min(r.ratio(), max) / max;
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
              labelWidth - 6,
              y + 12,
              esc(label)));
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
              x0,
              y + 3,
              w,
              rowHeight - 6,
              color));
      if (!Double.isNaN(r.error())) {
        double lo = x0 + plotWidth * Math.max(0, Math.min(r.ratio() - r.error(), max)) / max;
        double hi = x0 + plotWidth * Math.min(r.ratio() + r.error(), max) / max;
        s.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
                lo,
                y + rowHeight / 2.0,
                hi,
                y + rowHeight / 2.0));
      }
      if (r.hasGoal(engine)) {
        double gx = x0 + plotWidth * Math.min(r.def().maxRatio(), max) / max;
        s.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\""
                    + " stroke-width=\"2\"/>\n",
                gx,
                y + 1,
                gx,
                y + rowHeight - 1));
      }
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%.1f\" fill=\"#333\">%.2f</text>\n",
              Math.min(x0 + w + 4, x0 + plotWidth - 30),
              y + 12,
              r.ratio()));
    }
    double bottom = top + rows.size() * rowHeight;
    s.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\""
                + " stroke-dasharray=\"4,3\"/>\n",
            one,
            top,
            one,
            bottom));
    for (double tick = 0; tick <= max; tick += 0.5) {
      double tx = x0 + plotWidth * tick / max;
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>\n",
              tx,
              bottom + 16,
              tick));
    }
    s.append("</svg>\n");
    return s.toString();
  }

  private static String esc(String t) {
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
