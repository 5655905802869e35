using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Features.Reports;
using CreditFlows.Functions.Tests.Infrastructure;
using SkiaSharp;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The report charts, drawn once (not twice) and encoded by their own PNG encoder (<see cref="ChartPng"/>), are the
/// pixels they were (<see cref="ReportChartBefore"/>), and the encoder is lossless: a decoder gets back every pixel Skia drew.
/// </summary>
public class WeeklyReportChartPngTests
{
    [Fact]
    public void A_drawn_chart_decodes_to_exactly_the_pixels_drawn()
    {
        using var surface = SKSurface.Create(new SKImageInfo(ReportChart.Width, ReportChart.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { IsAntialias = true, Color = new SKColor(178, 34, 34), StrokeWidth = 3, Style = SKPaintStyle.Stroke };
        for (var i = 0; i < 12; i++)
        {
            canvas.DrawLine(20 + i * 55, 300 - i * 17 % 90, 75 + i * 55, 280 - (i + 1) * 17 % 90, paint);
        }

        using var fill = new SKPaint { IsAntialias = true, Color = new SKColor(70, 130, 180, 160) };
        canvas.DrawCircle(360, 180, 90, fill);
        var font = ChartFont.Resolve(null);
        using var text = new SKFont(font.Typeface ?? SKTypeface.Default, 22);
        using var ink = new SKPaint { IsAntialias = true, Color = SKColors.Black };
        canvas.DrawText("城关信用社 不良贷款率 NPL ratio 6.25%", 30, 40, text, ink);
        canvas.Flush();
        using var pixels = surface.PeekPixels();

        var png = ChartPng.EncodeOpaque(pixels.GetPixelSpan(), ReportChart.Width, ReportChart.Height, pixels.RowBytes);

        Assert.NotNull(png);
        using var decoded = SKBitmap.Decode(png);
        Assert.Equal((ReportChart.Width, ReportChart.Height), (decoded.Width, decoded.Height));
        using var rgba = decoded.Copy(SKColorType.Rgba8888);
        var drawn = pixels.GetPixelSpan().ToArray();
        Assert.Equal(drawn, rgba.GetPixelSpan().ToArray());
        Assert.True(drawn.Chunk(4).Select(p => (p[0], p[1], p[2])).Distinct().Count() > 50, "the test image should have antialiased edges and text");
    }

    [Fact]
    public void A_transparent_pixel_is_left_to_SkiaSharps_encoder()
    {
        var pixels = Enumerable.Repeat((byte)255, 16 * 4 * 4).ToArray();
        pixels[4 * 7 + 3] = 128;
        Assert.Null(ChartPng.EncodeOpaque(pixels, 16, 4, 16 * 4));
    }

    [Theory]
    [InlineData("full")]
    [InlineData("gaps")]
    [InlineData("no data")]
    public void The_report_charts_have_the_pixels_they_had_before(string kind)
    {
        var font = ChartFont.Resolve(null);
        var (after, before) = (new ReportChart(font), new ReportChartBefore(font));
        var report = Report(kind);
        foreach (var (now, then) in new[] { (after.Trend(report), before.Trend(report)), (after.Categories(report), before.Categories(report)) })
        {
            using var drawn = SKBitmap.Decode(now);
            using var reference = SKBitmap.Decode(then);
            Assert.Equal((ReportChart.Width, ReportChart.Height), (drawn.Width, drawn.Height));
            Assert.True(drawn.Pixels.Distinct().Count() > 20, "a chart has lines or bars and antialiased text");
            Assert.Equal(reference.Pixels, drawn.Pixels);
        }
    }

    /// <summary>A branch's report: 12 weeks of figures ("full"), some weeks without ("gaps"), or none at all ("no data").</summary>
    private static WeeklyReport Report(string kind)
    {
        var week = ReportWeek.Of(new DateOnly(2026, 11, 22));
        DayTotals Totals(int i) => new() { Counts = [0, 10, 2, 2, 1, 1], BalancesFen = [0, 1_000_000 - i * 7_000, 90_000, 50_000 + i * 3_000, 30_000, 20_000] };
        return WeeklyReportBuilder.Build(new WeeklyReportInput
        {
            Week = week, Scope = "B01", ScopeName = "城关信用社 (B01)",
            AsOf = kind == "no data" ? null : week.Sunday, Now = kind == "no data" ? null : Totals(11), WeekAgo = kind == "no data" ? null : Totals(10),
            Trend = [.. Enumerable.Range(0, 12).Select(i => new TrendInput(ReportWeek.Of(week.Sunday.AddDays(7 * (i - 11))), week.Sunday.AddDays(7 * (i - 11)),
                kind == "no data" || (kind == "gaps" && i % 4 == 1) ? null : Totals(i)))],
        });
    }
}
