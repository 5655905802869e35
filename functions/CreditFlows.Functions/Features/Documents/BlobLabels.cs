using CreditFlows.Domain.Documents;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>
/// A credit file's blob metadata and index tags: type, branch, application, uploader and, once the last byte has
/// passed, the SHA-256 (the metadata also names the document, its download file name and when it was stored).
/// </summary>
public sealed record BlobLabels(string DocumentId, string ApplicationId, string Branch, DocumentType Type, string Uploader, string FileName)
{
    /// <summary>The metadata; without <paramref name="sha256"/> (not known yet) the key is left out.</summary>
    public Dictionary<string, string> Metadata(string? sha256, DateTimeOffset at)
    {
        var metadata = new Dictionary<string, string>
        {
            ["documentid"] = DocumentId,
            ["application"] = ApplicationId,
            ["branch"] = Branch,
            ["type"] = Type.ToString(),
            ["uploader"] = Uri.EscapeDataString(Uploader),
            ["filename"] = Uri.EscapeDataString(FileName),
            ["uploadedat"] = at.ToString("O"),
        };
        if (sha256 is not null)
        {
            metadata["sha256"] = sha256;
        }

        return metadata;
    }

    /// <summary>The index tags (values limited to the characters tags allow); without <paramref name="sha256"/> the tag is left out.</summary>
    public Dictionary<string, string> Tags(string? sha256)
    {
        var tags = new Dictionary<string, string>
        {
            ["type"] = Type.ToString(),
            ["branch"] = DocumentBlobs.TagValue(Branch),
            ["application"] = DocumentBlobs.TagValue(ApplicationId),
            ["uploader"] = DocumentBlobs.TagValue(Uploader),
        };
        if (sha256 is not null)
        {
            tags["sha256"] = sha256;
        }

        return tags;
    }
}
