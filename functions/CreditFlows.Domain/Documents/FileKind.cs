using System.Text.Json.Serialization;

namespace CreditFlows.Domain.Documents;

/// <summary>The file formats accepted for scans, identified by content (<see cref="ContentInspector"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FileKind>))]
public enum FileKind
{
    Pdf = 1,
    Jpeg = 2,
    Png = 3,
    Tiff = 4,
    Heic = 5,
}

public static class FileKinds
{
    public static string ContentType(this FileKind kind) => kind switch
    {
        FileKind.Pdf => "application/pdf",
        FileKind.Jpeg => "image/jpeg",
        FileKind.Png => "image/png",
        FileKind.Tiff => "image/tiff",
        _ => "image/heic",
    };

    public static string Extension(this FileKind kind) => kind switch
    {
        FileKind.Pdf => ".pdf",
        FileKind.Jpeg => ".jpg",
        FileKind.Png => ".png",
        FileKind.Tiff => ".tif",
        _ => ".heic",
    };

    /// <summary>The kind a file name's extension claims, or null when it names none of ours (or has none).</summary>
    public static FileKind? FromExtension(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".pdf" => FileKind.Pdf,
        ".jpg" or ".jpeg" or ".jpe" or ".jfif" => FileKind.Jpeg,
        ".png" => FileKind.Png,
        ".tif" or ".tiff" => FileKind.Tiff,
        ".heic" or ".heif" => FileKind.Heic,
        _ => null,
    };

    /// <summary>
    /// Whether a declared media type fits the content: none, or a generic binary type, fits anything; otherwise
    /// it must name the kind the content is.
    /// </summary>
    public static bool DeclaredTypeFits(string? mediaType, FileKind kind)
    {
        var type = mediaType?.Split(';')[0].Trim().ToLowerInvariant();
        return type switch
        {
            null or "" or "application/octet-stream" or "binary/octet-stream" => true,
            "image/jpg" or "image/pjpeg" => kind == FileKind.Jpeg,
            "image/x-png" => kind == FileKind.Png,
            "image/heif" or "image/heic-sequence" or "image/heif-sequence" => kind == FileKind.Heic,
            _ => type == kind.ContentType(),
        };
    }
}
