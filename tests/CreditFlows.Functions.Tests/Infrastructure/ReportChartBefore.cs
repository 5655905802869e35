using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Features.Reports;
using SkiaSharp;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// ReportChart as it was before issue 7's render work (drawn twice by ScottPlot's render loop, PNG through SkiaSharp's
/// encoder), kept unchanged as the reference: the tests prove the charts' pixels the same, the render benchmark (bench,
/// <c>render</c> mode) times the two. Not used by the app.
/// </summary>
public sealed class ReportChartBefore(ChartFont font)
{
    private const int Width = ReportChart.Width;
    private const int Height = ReportChart.Height;
    private const string FontName = "CreditFlowsCjk";
    private static readonly Lock Gate = new();
    private static bool _registered;

    private static readonly string[] CategoryLabels = ReportChart.CategoryLabels;

    public byte[] Trend(WeeklyReport report)
    {
        var plot = NewPlot();
        var points = report.Trend.Select((t, i) => (i, t)).Where(p => p.t.NplRatio is not null).ToList();
        if (points.Count > 0)
        {
            var line = plot.Add.Scatter(points.Select(p => (double)p.i).ToArray(), points.Select(p => (double)(p.t.NplRatio!.Value * 100m)).ToArray());
            line.LineWidth = 3;
            line.MarkerSize = 8;
        }

        plot.Axes.Bottom.SetTicks([.. report.Trend.Select((_, i) => (double)i)], [.. report.Trend.Select(t => t.Week[5..])]);
        plot.Axes.SetLimitsX(-0.5, Math.Max(1, report.Trend.Count) - 0.5);
        plot.Title($"{report.ScopeName} 不良贷款率 NPL ratio, %, {report.Trend.Count} 周 weeks");
        plot.YLabel("%");
        if (points.Count == 0)
        {
            plot.Add.Text("无数据 No data", 0, 0);
        }

        return Png(plot);
    }

    public byte[] Categories(WeeklyReport report)
    {
        var plot = NewPlot();
        var bars = new List<ScottPlot.Bar>();
        for (var i = 0; i < LoanCategories.All.Count; i++)
        {
            if (report.WeekAgo is { } before)
            {
                bars.Add(new ScottPlot.Bar { Position = i * 3, Value = (double)(before.Categories[i].Balance / 10_000m), FillColor = ScottPlot.Colors.LightGray });
            }

            if (report.Now is { } now)
            {
                bars.Add(new ScottPlot.Bar { Position = i * 3 + 1, Value = (double)(now.Categories[i].Balance / 10_000m), FillColor = i >= 2 ? ScottPlot.Colors.FireBrick : ScottPlot.Colors.SteelBlue });
            }
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. LoanCategories.All.Select((_, i) => i * 3 + 0.5)], CategoryLabels);
        plot.Title($"{report.ScopeName} 五级分类余额 Balance by category, 万元 (10k yuan): 上周 last week / 本周 this week");
        plot.Axes.Margins(bottom: 0);
        return Png(plot);
    }

    /// <summary>
    /// Draws the plot and encodes it as PNG with fast compression (the Sub filter, zlib level 1): a chart is flat colour, so
    /// it stays small (about 50 KB), and encoding at the default settings took most of a chart's time (101 scopes draw 202
    /// charts a week; see BENCHMARKS.md, weekly report).
    /// </summary>
    private static byte[] Png(ScottPlot.Plot plot)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        plot.Render(surface);
        using var image = surface.Snapshot();
        using var pixels = image.PeekPixels();
        using var png = pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, zLibLevel: 1))
            ?? throw new InvalidOperationException("SkiaSharp could not encode the chart as PNG.");
        return png.ToArray();
    }

    private ScottPlot.Plot NewPlot()
    {
        var plot = new ScottPlot.Plot();
        if (font.File is { } file)
        {
            lock (Gate)
            {
                if (!_registered)
                {
                    ScottPlot.Fonts.AddFontFile(FontName, file);
                    _registered = true;
                }
            }

            plot.Font.Set(FontName);
        }

        return plot;
    }
}
