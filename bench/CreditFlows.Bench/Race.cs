using System.Collections.Concurrent;

namespace CreditFlows.Bench;

/// <summary>
/// The race sub-test. Applications are brought to Review, then three review-pass requests go out at once:
/// A from rv-b01, A' the same request repeated with A's Idempotency-Key (a client retry), and B from rv-hq with
/// its own key. Exactly one review may be stored. A' may be answered as a replay of A; whoever lost otherwise
/// gets 409. The event logs are checked afterwards like the main run's.
/// </summary>
public sealed class RaceTest(WorkflowDriver driver, Callers callers)
{
    private const string ReviewBody = """{"outcome":"Pass","comment":"Investigation complete."}""";

    public ConcurrentDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Runs <paramref name="races"/> races, <paramref name="parallel"/> at a time; answers the applications for the log check.</summary>
    public async Task<IReadOnlyList<AppRecord>> RunAsync(int firstNumber, int races, int parallel)
    {
        var records = new ConcurrentBag<AppRecord>();
        await Parallel.ForEachAsync(Enumerable.Range(firstNumber, races), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (number, _) =>
        {
            var record = new AppRecord(number);
            records.Add(record);
            if (!await PrepareAsync(record))
            {
                return;
            }

            var path = WorkflowDriver.Path(record, "review");
            var keyA = Guid.NewGuid().ToString();
            var keyB = Guid.NewGuid().ToString();
            Func<Task<Answer>>[] sends =
            [
                () => driver.SendAsync(path, callers.Reviewer, ReviewBody, keyA),
                () => driver.SendAsync(path, callers.Reviewer, ReviewBody, keyA),
                () => driver.SendAsync(path, callers.HqReviewer, ReviewBody, keyB),
            ];

            // Sent in a random order, so that each of them gets to be first some of the time.
            var order = new[] { 0, 1, 2 };
            Random.Shared.Shuffle(order);
            var tasks = new Task<Answer>[3];
            foreach (var n in order)
            {
                tasks[n] = sends[n]();
            }

            var answers = await Task.WhenAll(tasks);
            Judge(record, answers[0], answers[1], answers[2]);
        });
        return [.. records.OrderBy(r => r.Number)];
    }

    private async Task<bool> PrepareAsync(AppRecord record)
    {
        // Open, submit and investigate, as the main flow does; any failure there is the driver's error.
        foreach (var (step, command) in WorkflowDriver.Steps.Take(3))
        {
            var body = step switch
            {
                "open" => WorkflowDriver.OpenBody(record.Number),
                "investigation" => WorkflowDriver.InvestigationBody,
                _ => "{}",
            };
            var answer = await driver.SendAsync(step == "open" ? "/api/applications" : WorkflowDriver.Path(record, step), callers.Officer, body, Guid.NewGuid().ToString());
            if (answer.Status is not (200 or 201))
            {
                Violations.Enqueue($"race app {record.Number}: preparing {step} answered HTTP {answer.Status} {answer.Failure ?? answer.Body}");
                return false;
            }

            if (step == "open")
            {
                using var doc = System.Text.Json.JsonDocument.Parse(answer.Body);
                record.Id = doc.RootElement.GetProperty("id").GetString();
            }

            record.Acknowledged.Add(command);
        }

        return true;
    }

    private void Judge(AppRecord record, Answer a, Answer retry, Answer b)
    {
        string Name(Answer x) => x.Status switch
        {
            200 when x.Replayed => "200 replayed",
            200 => "200",
            409 => "409",
            _ => $"HTTP {x.Status}",
        };

        var key = $"A {Name(a)}, A' {Name(retry)}, B {Name(b)}";
        Outcomes.AddOrUpdate(key, 1, (_, n) => n + 1);

        var stored = new[] { a, retry, b }.Count(x => x.Status == 200 && !x.Replayed);
        var aWon = (a.Status == 200 && !a.Replayed) || (retry.Status == 200 && !retry.Replayed);
        var bWon = b.Status == 200 && !b.Replayed;
        if (stored != 1)
        {
            Violations.Enqueue($"{record.Id}: {stored} reviews were answered as stored ({key})");
        }

        if (bWon && (a.Status == 200 || retry.Status == 200))
        {
            Violations.Enqueue($"{record.Id}: B's review was stored but A was answered 200 ({key})");
        }

        if (b.Replayed || new[] { a, retry, b }.Any(x => x.Status is not (200 or 409)))
        {
            Violations.Enqueue($"{record.Id}: unexpected answer ({key})");
        }

        if (aWon || bWon)
        {
            record.Acknowledged.Add("review.pass");
        }
    }
}
