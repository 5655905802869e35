using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;
using SkiaSharp;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// The report's charts, drawn with ScottPlot 5 (SkiaSharp) as PNG: the 12-week NPL ratio trend of the scope, and the
/// balances by category now and a week ago. Labels are Chinese and English, in the <see cref="ChartFont"/>.
/// </summary>
public sealed class ReportChart(ChartFont font)
{
    public const int Width = 720;
    public const int Height = 360;
    private const string FontName = "CreditFlowsCjk";
    private static readonly Lock Gate = new();
    private static bool _registered;

    public static readonly string[] CategoryLabels = ["正常 Normal", "关注 Special mention", "次级 Substandard", "可疑 Doubtful", "损失 Loss"];

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
    /// Draws the plot once and encodes it as PNG with <see cref="ChartPng"/> (Up filter, zlib level 1, about 40 KB a chart):
    /// 101 scopes draw 202 charts a week, and SkiaSharp's encoder, even at its fastest settings (Sub filter, zlib 1), took
    /// about 40% of a chart's time (see BENCHMARKS.md, weekly report). A chart with a transparent pixel (none so far: the
    /// figure's background is white) goes through SkiaSharp's encoder, which handles alpha.
    /// </summary>
    private static byte[] Png(ScottPlot.Plot plot)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        // Once: ScottPlot 5.1's Render draws a new plot a second time, the same image, because it sees the unused top and right
        // axes' unset ranges (±∞) as changed; the second pass was half of a chart's drawing (the tests compare the pixels).
        plot.RenderManager.RenderFinished += (_, _) => plot.RenderManager.EnableRendering = false;
        plot.Render(surface);
        surface.Canvas.Flush();
        using var pixels = surface.PeekPixels();
        return ChartPng.EncodeOpaque(pixels.GetPixelSpan(), Width, Height, pixels.RowBytes) ?? SkiaPng(pixels);
    }

    private static byte[] SkiaPng(SKPixmap pixels)
    {
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
