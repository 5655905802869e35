using Azure.Data.Tables;

namespace CreditFlows.Functions.Storage;

/// <summary>
/// Text longer than a table property holds (64 KiB, i.e. 32K UTF-16 characters) split over numbered
/// properties <c>{name}</c>, <c>{name}_1</c>, … and joined again on read. An entity holds 1 MiB in all.
/// </summary>
public static class TableText
{
    private const int ChunkChars = 30_000;

    public static void Write(TableEntity entity, string name, string text)
    {
        var chunks = (text.Length + ChunkChars - 1) / ChunkChars;
        entity[name] = text.Length <= ChunkChars ? text : text[..ChunkChars];
        for (var n = 1; n < chunks; n++)
        {
            entity[$"{name}_{n}"] = text.Substring(n * ChunkChars, Math.Min(ChunkChars, text.Length - (n * ChunkChars)));
        }
    }

    public static string? Read(TableEntity entity, string name)
    {
        if (entity.GetString(name) is not { } first)
        {
            return null;
        }

        if (!entity.ContainsKey($"{name}_1"))
        {
            return first;
        }

        var text = new System.Text.StringBuilder(first);
        for (var n = 1; entity.GetString($"{name}_{n}") is { } next; n++)
        {
            text.Append(next);
        }

        return text.ToString();
    }
}
