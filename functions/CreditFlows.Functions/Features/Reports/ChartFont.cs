using SkiaSharp;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// The font the chart draws with: it must have Chinese glyphs, or branch and borrower names come out as boxes.
/// <c>Reports:ChartFontFile</c> when set; otherwise the first of the known CJK fonts found in the system's font
/// folders (Debian's <c>fonts-wqy-microhei</c>, <c>fonts-noto-cjk</c>, <c>fonts-wqy-zenhei</c>, Windows' YaHei/SimHei);
/// otherwise any font file there that has the glyphs. None: the chart is still drawn, and the start-up log says why
/// its Chinese text will not render.
/// </summary>
public sealed class ChartFont
{
    public const string Probe = "不良贷款城关信用社张三";

    private static readonly string[] Known =
    [
        "wqy-microhei.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf", "wqy-zenhei.ttc",
        "msyh.ttc", "simhei.ttf", "simsun.ttc",
    ];

    private static readonly string[] Folders =
    [
        "/usr/share/fonts", "/usr/local/share/fonts", Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fonts"),
        Environment.GetFolderPath(Environment.SpecialFolder.Fonts), Path.Combine(AppContext.BaseDirectory, "fonts"),
    ];

    private ChartFont(string? file, SKTypeface? typeface)
    {
        File = file;
        Typeface = typeface;
    }

    /// <summary>The font file in use, or null when none with Chinese glyphs was found.</summary>
    public string? File { get; }

    public SKTypeface? Typeface { get; }

    public bool HasCjk => Typeface is not null;

    public static ChartFont Resolve(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return Load(configured) ?? throw new InvalidOperationException($"Reports:ChartFontFile '{configured}' has no Chinese glyphs (or is not a font).");
        }

        var files = Folders.Where(f => !string.IsNullOrEmpty(f) && Directory.Exists(f))
            .SelectMany(f => SafeFiles(f)).ToList();
        foreach (var name in Known)
        {
            if (files.FirstOrDefault(f => Path.GetFileName(f).Equals(name, StringComparison.OrdinalIgnoreCase)) is { } known && Load(known) is { } font)
            {
                return font;
            }
        }

        foreach (var file in files.Where(f => Path.GetExtension(f).ToLowerInvariant() is ".ttf" or ".ttc" or ".otf").Take(500))
        {
            if (Load(file) is { } font)
            {
                return font;
            }
        }

        return new ChartFont(null, null);
    }

    /// <summary>Whether the typeface draws every character of <paramref name="text"/> (no missing-glyph boxes).</summary>
    public static bool Covers(SKTypeface typeface, string text)
    {
        using var font = new SKFont(typeface);
        return font.ContainsGlyphs(text);
    }

    private static ChartFont? Load(string file)
    {
        var typeface = SKTypeface.FromFile(file);
        if (typeface is null)
        {
            return null;
        }

        if (Covers(typeface, Probe))
        {
            return new ChartFont(file, typeface);
        }

        typeface.Dispose();
        return null;
    }

    private static IEnumerable<string> SafeFiles(string folder)
    {
        try
        {
            return Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
