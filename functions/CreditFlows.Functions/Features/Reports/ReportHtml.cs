using System.Globalization;
using System.Net;
using System.Text;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// The report as a manager reads it on a phone: one column, short tables, Chinese and English headings. Images are
/// referenced through <c>imageSource</c> (<c>cid:trend</c> in the mail, the archive's file name in the archive).
/// </summary>
public static class ReportHtml
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Subject(WeeklyReport r) =>
        r.HasData
            ? $"不良贷款周报 Weekly NPL report {r.Week} {r.ScopeName}: NPL ratio {Pct(r.Now!.NplRatio)}{(r.WeekAgo is { } w ? $" ({Pp(r.Now.NplRatio - w.NplRatio)} in a week)" : string.Empty)}"
            : $"不良贷款周报 Weekly NPL report {r.Week} {r.ScopeName}: no data for the week";

    public static string Text(WeeklyReport r)
    {
        var text = new StringBuilder($"Weekly NPL report {r.Week} ({r.WeekStart:yyyy-MM-dd} to {r.WeekEnd:yyyy-MM-dd}), {r.ScopeName}.\n");
        foreach (var note in r.Notes)
        {
            text.Append(note).Append('\n');
        }

        if (r.Now is { } now)
        {
            text.Append(Inv, $"NPL {Yuan(now.NplBalance)} yuan of {Yuan(now.TotalBalance)}: {Pct(now.NplRatio)} on {now.Date:yyyy-MM-dd}.\n");
            text.Append(Inv, $"New NPL {r.NewNpls.Count} ({Yuan(r.NewNpls.Total)}), cured {r.Cures.Count} ({Yuan(r.Cures.Total)}), recovered {Yuan(r.Recoveries.Total)}.\n");
            text.Append(Inv, $"Litigation due {r.LitigationDue.Count}, inspections overdue {r.InspectionsOverdue.Count}, early warnings {r.Warnings.Count}.\n");
        }

        return text.Append("The full report is in the HTML part of this mail; the NPL ledger is attached (.xlsx, .csv).").ToString();
    }

    public static string Render(WeeklyReport r, Func<string, string> imageSource)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.Append("<title>").Append(E(Subject(r))).Append("</title><style>body{font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;max-width:760px;margin:auto;padding:8px;color:#222}")
            .Append("table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:14px}th,td{border-bottom:1px solid #ddd;padding:4px;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}h2{font-size:17px;margin:18px 0 4px}.note{color:#a33}img{max-width:100%}</style></head><body>");
        h.Append("<h1 style=\"font-size:20px\">不良贷款周报 Weekly NPL report ").Append(E(r.Week)).Append("</h1><p>").Append(E(r.ScopeName))
            .Append(Inv, $" · {r.WeekStart:yyyy-MM-dd} – {r.WeekEnd:yyyy-MM-dd}").Append(r.AsOf is { } d ? $" · as of {d:yyyy-MM-dd}" : string.Empty).Append("</p>");
        foreach (var note in r.Notes)
        {
            h.Append("<p class=\"note\">").Append(E(note)).Append("</p>");
        }

        if (r.HasData)
        {
            Positions(h, r);
            h.Append("<img alt=\"NPL ratio trend\" src=\"").Append(E(imageSource("trend"))).Append("\"><img alt=\"Balances by category\" src=\"").Append(E(imageSource("categories"))).Append("\">");
            Migration(h, r);
            Loans(h, "本周新增不良 New NPLs (largest first)", r.NewNpls, "Balance");
            Loans(h, "本周转出不良 Cures", r.Cures, "Balance");
            Loans(h, "本周收回 Recoveries", r.Recoveries, "Recovered");
            Branches(h, "按不良率排名 Branches by NPL ratio", r.BranchesByRatio);
            Branches(h, "按变动排名 Branches by change in the week", r.BranchesByChange);
            Table(h, "责任不良余额 Officers by lending-responsibility NPL", ["Officer", "Loans", "NPL balance"],
                r.Officers.Select(o => new[] { $"{o.Name} ({o.UserId})", o.Loans.ToString(Inv), Yuan(o.NplBalance) }));
            Actions(h, "应起诉 Litigation due", r.LitigationDue);
            Actions(h, "检查逾期 Inspections overdue", r.InspectionsOverdue);
        }

        Table(h, "本周预警 Early warnings of the week", ["Day", "Warning"], r.Warnings.Select(w => new[] { w.On.ToString("MM-dd", Inv), w.Subject }));
        return h.Append("<p style=\"color:#777;font-size:12px\">CreditFlows · 日监测、周报告、月通报 · The NPL ledger is attached as .xlsx and .csv.</p></body></html>").ToString();
    }

    private static void Positions(StringBuilder h, WeeklyReport r)
    {
        var columns = new (string Name, Position? P)[] { ("本周 Now", r.Now), ("上周 Week ago", r.WeekAgo), ("年初 Start of year", r.YearStart) }.Where(c => c.P is not null).ToList();
        var rows = new List<string[]>
        {
            new[] { "Date" }.Concat(columns.Select(c => c.P!.Date.ToString("yyyy-MM-dd", Inv))).ToArray(),
            new[] { "不良率 NPL ratio" }.Concat(columns.Select(c => Pct(c.P!.NplRatio))).ToArray(),
            new[] { "不良余额 NPL balance" }.Concat(columns.Select(c => Yuan(c.P!.NplBalance))).ToArray(),
            new[] { "贷款余额 Total balance" }.Concat(columns.Select(c => Yuan(c.P!.TotalBalance))).ToArray(),
        };
        for (var i = 0; i < ReportChart.CategoryLabels.Length; i++)
        {
            rows.Add([ReportChart.CategoryLabels[i], .. columns.Select(c => Yuan(c.P!.Categories[i].Balance))]);
        }

        Table(h, "不良贷款 NPL", ["", .. columns.Select(c => c.Name)], rows);
    }

    private static void Migration(StringBuilder h, WeeklyReport r)
    {
        if (r.Migration is not { } m)
        {
            return;
        }

        Table(h, $"五级分类迁徙 Migration {m.From:MM-dd} → {m.To:MM-dd} (loans; balance)", ["From \\ To", .. m.Columns],
            m.Rows.Select(row => new[] { row.From }.Concat(row.Counts.Select((c, i) => c == 0 ? "·" : $"{c}; {Yuan(row.Balances[i])}")).ToArray()));
    }

    private static void Loans(StringBuilder h, string title, LoanList list, string amount) =>
        Table(h, $"{title}: {list.Count}, {Yuan(list.Total)}", ["Loan", "Borrower", "From → To", amount],
            list.Largest.Select(l => new[] { $"{l.Branch} {l.LoanId}", l.BorrowerName, $"{l.From ?? "new"} → {l.To}", Yuan(l.Amount) }));

    private static void Branches(StringBuilder h, string title, IReadOnlyList<BranchLine> lines) =>
        Table(h, title, ["Branch", "NPL ratio", "Change", "NPL balance"],
            lines.Select(b => new[] { $"{b.Name} ({b.Branch})", Pct(b.NplRatio), b.Change is { } c ? Pp(c) : "–", Yuan(b.NplBalance) }));

    private static void Actions(StringBuilder h, string title, ActionList list) =>
        Table(h, $"{title}: {list.Count}, {Yuan(list.Total)}", ["Loan", "Borrower", "Days overdue", "Balance"],
            list.Largest.Select(a => new[] { $"{a.Branch} {a.LoanId}", a.BorrowerName, a.DaysOverdue.ToString(Inv), Yuan(a.Balance) }));

    private static void Table(StringBuilder h, string title, string[] headers, IEnumerable<string[]> rows)
    {
        h.Append("<h2>").Append(E(title)).Append("</h2>");
        var list = rows.ToList();
        if (list.Count == 0)
        {
            h.Append("<p>无 None.</p>");
            return;
        }

        h.Append("<table><tr>");
        foreach (var header in headers)
        {
            h.Append("<th>").Append(E(header)).Append("</th>");
        }

        h.Append("</tr>");
        foreach (var row in list)
        {
            h.Append("<tr>");
            foreach (var cell in row)
            {
                h.Append("<td>").Append(E(cell)).Append("</td>");
            }

            h.Append("</tr>");
        }

        h.Append("</table>");
    }

    public static string Yuan(decimal yuan) => yuan.ToString("#,0.00", Inv);

    public static string Pct(decimal ratio) => (ratio * 100m).ToString("0.00", Inv) + "%";

    private static string Pp(decimal change) => (change >= 0 ? "+" : string.Empty) + (change * 100m).ToString("0.00", Inv) + " pp";

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);
}
