using System.Text.Json;

namespace CreditFlows.Functions.Features.Outbox;

/// <summary>
/// Queues outbox pointers after their transactions commit, many per message when they come faster than one
/// queue send takes: while a send is under way, pointers that arrive wait, and the next send carries all of them
/// (group commit). Each caller still waits until a message naming its pointer is queued, so "answered" keeps
/// meaning "queued". A failed send fails only its own callers; their entries stay pending for the sweep.
/// </summary>
public sealed class OutboxNotifier(TransactionalOutbox outbox)
{
    private readonly Lock _gate = new();
    private List<Waiting> _waiting = [];
    private bool _sending;

    public Task NotifyAsync(OutboxPointer pointer, CancellationToken cancellationToken)
    {
        var waiting = new Waiting(pointer, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool lead;
        lock (_gate)
        {
            _waiting.Add(waiting);
            lead = !_sending;
            _sending = true;
        }

        if (lead)
        {
            _ = Task.Run(SendAllAsync, CancellationToken.None);
        }

        return waiting.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task SendAllAsync()
    {
        while (true)
        {
            List<Waiting> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }

                (batch, _waiting) = (_waiting, []);
            }

            foreach (var chunk in Chunks(batch))
            {
                try
                {
                    await outbox.NotifyAsync([.. chunk.Select(w => w.Pointer)], CancellationToken.None);
                    chunk.ForEach(w => w.Done.TrySetResult());
                }
                catch (Exception ex)
                {
                    chunk.ForEach(w => w.Done.TrySetException(ex));
                }
            }
        }
    }

    /// <summary>Splits <paramref name="batch"/> into messages that fit a queue message.</summary>
    private static IEnumerable<List<Waiting>> Chunks(List<Waiting> batch)
    {
        var chunk = new List<Waiting>();
        var size = 32;
        foreach (var waiting in batch)
        {
            var length = JsonSerializer.Serialize(waiting.Pointer).Length + 1;
            if (chunk.Count > 0 && size + length > OutboxBatch.MaxMessageChars)
            {
                yield return chunk;
                (chunk, size) = ([], 32);
            }

            chunk.Add(waiting);
            size += length;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private sealed record Waiting(OutboxPointer Pointer, TaskCompletionSource Done);
}
