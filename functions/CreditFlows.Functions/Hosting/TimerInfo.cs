using System.Text.Json.Serialization;

namespace CreditFlows.Functions.Hosting;

/// <summary>The timer trigger's value, in the shape the Functions host sends it.</summary>
public sealed record TimerInfo(
    [property: JsonPropertyName("Schedule")] TimerSchedule? Schedule,
    [property: JsonPropertyName("ScheduleStatus")] ScheduleStatus? ScheduleStatus,
    [property: JsonPropertyName("IsPastDue")] bool IsPastDue);

public sealed record TimerSchedule([property: JsonPropertyName("AdjustForDST")] bool AdjustForDst);

/// <summary>
/// The schedule monitor's record: the last occurrence run, the next one expected, and when it was written.
/// During an invocation <see cref="Next"/> is the occurrence being run. Times are UTC.
/// </summary>
public sealed record ScheduleStatus(
    [property: JsonPropertyName("Last")] DateTime Last,
    [property: JsonPropertyName("Next")] DateTime Next,
    [property: JsonPropertyName("LastUpdated")] DateTime LastUpdated);

[JsonSerializable(typeof(TimerInfo))]
[JsonSerializable(typeof(ScheduleStatus))]
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
internal sealed partial class HostJsonContext : JsonSerializerContext;
