package io.github.idem.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * Draws a run's ratio rows as a horizontal bar chart in plain SVG: the bar is the ratio, the
 * whisker its 95 % interval, black ticks the goals' limits; the colour is the worst verdict.
 */
final class RatioChart {
  private static final double AXIS_CAP = 6.0;

  private RatioChart() {}

  static String render(String label, Db.Kind kind, List<Report.RatioRow> rows) {
    int labelWidth = 620;
    int plotWidth = 420;
    int rowHeight = 18;
    int top = 40;
    int height = top + rows.size() * rowHeight + 40;
    double max = 2.0;
    for (Report.RatioRow r : rows) {
      double hi = r.ratio().defined() ? r.ratio().high() : r.ratio().estimate();
      max = Math.max(max, Math.min(hi, AXIS_CAP));
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
                    + " (lower is better); whisker = 95 %% CI, black tick = goal, dashed ="
                    + " 1.0</text>\n",
                esc(label)));
    double x0 = labelWidth;
    for (int i = 0; i < rows.size(); i++) {
      Report.RatioRow r = rows.get(i);
      double y = top + i * rowHeight;
      String text =
          r.comparison().label()
              + " [t"
              + r.candidate().threads()
              + (r.candidate().params().isEmpty() ? "" : ", " + r.candidate().params())
              + "]";
      double w = plotWidth * Math.min(r.ratio().estimate(), max) / max;
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
              labelWidth - 6,
              y + 12,
              esc(text)));
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
              x0,
              y + 3,
              w,
              rowHeight - 6,
              colour(r)));
      if (r.ratio().defined()) {
        double lo = x0 + plotWidth * Math.min(r.ratio().low(), max) / max;
        double hi = x0 + plotWidth * Math.min(r.ratio().high(), max) / max;
        s.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
                lo,
                y + rowHeight / 2.0,
                hi,
                y + rowHeight / 2.0));
      }
      for (Report.GoalResult g : r.goals()) {
        double limit = g.goal().limits().get(kind);
        if (Double.isNaN(limit)) {
          continue;
        }
        double gx = x0 + plotWidth * Math.min(limit, max) / max;
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
              r.ratio().estimate()));
    }
    double bottom = top + rows.size() * rowHeight;
    double one = x0 + plotWidth / max;
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

  /** Red if any goal is missed, amber if any is undecided, green if all are met, grey otherwise. */
  private static String colour(Report.RatioRow r) {
    boolean met = false;
    boolean undecided = false;
    for (Report.GoalResult g : r.goals()) {
      switch (g.verdict().kind()) {
        case MISSED:
          return "#d9534f";
        case UNDECIDED:
          undecided = true;
          break;
        case MET:
          met = true;
          break;
        default:
          break;
      }
    }
    return undecided ? "#f0ad4e" : met ? "#5cb85c" : "#9aa5b1";
  }

  private static String esc(String t) {
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
