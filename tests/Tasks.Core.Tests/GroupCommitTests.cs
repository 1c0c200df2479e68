using Xunit;

namespace Tasks.Core.Tests;

/// <summary>The group commit backends use for their storage writes, with a stand-in for the storage: what goes in which call.</summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task A_lone_item_is_sent_at_once_and_items_arriving_meanwhile_share_the_next_call()
    {
        var (commit, sent, first) = HoldingFirstCall<int, string>(i => $"ok {i}");

        var lone = commit.AddAsync(0);
        Assert.Single(sent); // sent before anything awaited
        var rest = Enumerable.Range(1, 5).Select(i => commit.AddAsync(i)).ToArray();
        first.SetResult();

        Assert.Equal("ok 0", await lone);
        Assert.Equal(["ok 1", "ok 2", "ok 3", "ok 4", "ok 5"], await Task.WhenAll(rest));
        Assert.Equal([[0], [1, 2, 3, 4, 5]], sent);
    }

    [Fact]
    public async Task Batches_hold_at_most_max_batch_items_oldest_first()
    {
        var (commit, sent, first) = HoldingFirstCall<int, bool>(_ => true, maxBatch: 2);

        var all = Enumerable.Range(0, 6).Select(i => commit.AddAsync(i)).ToArray();
        first.SetResult();
        await Task.WhenAll(all);

        Assert.Equal([[0], [1, 2], [3, 4], [5]], sent);
    }

    [Fact]
    public async Task Items_with_one_conflict_key_never_share_a_call_and_keep_their_order()
    {
        var (commit, sent, first) = HoldingFirstCall<(char Key, int N), bool>(_ => true, conflictKey: item => item.Key);

        var writes = new[] { ('b', 1), ('a', 1), ('a', 2), ('b', 2), ('a', 3) }.Select(item => commit.AddAsync(item)).ToArray();
        first.SetResult();
        await Task.WhenAll(writes);

        Assert.Equal([[('b', 1)], [('a', 1), ('b', 2)], [('a', 2)], [('a', 3)]], sent);
    }

    [Fact]
    public async Task A_failed_call_fails_every_item_in_it_and_later_items_are_still_sent()
    {
        var calls = 0;
        var gate = new TaskCompletionSource();
        var commit = new GroupCommit<int, bool>(async batch =>
        {
            if (++calls == 1)
            {
                await gate.Task;
            }
            else if (calls == 2)
            {
                throw new TaskBackendUnavailableException("store", "writing", new IOException("gone"));
            }

            return batch.Select(_ => true).ToArray();
        });

        var first = commit.AddAsync(0);
        var failing = Enumerable.Range(1, 3).Select(i => commit.AddAsync(i)).ToArray();
        gate.SetResult();

        Assert.True(await first);
        foreach (var f in failing)
        {
            await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => f);
        }

        Assert.True(await commit.AddAsync(4));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_send_that_answers_the_wrong_number_of_items_fails_them_all()
    {
        var commit = new GroupCommit<int, bool>(_ => Task.FromResult<IReadOnlyList<bool>>([]));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => commit.AddAsync(1));
        Assert.Contains("0 answers for 1 items", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_stops_the_wait_not_the_send()
    {
        var gate = new TaskCompletionSource();
        var sent = new List<int>();
        var commit = new GroupCommit<int, bool>(async batch =>
        {
            sent.AddRange(batch);
            await gate.Task;
            return batch.Select(_ => true).ToArray();
        });
        using var cts = new CancellationTokenSource();

        var waiting = commit.AddAsync(7, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        gate.SetResult();

        Assert.True(await commit.AddAsync(8));
        Assert.Equal([7, 8], sent);
    }

    /// <summary>A group commit whose first call stays in flight until <c>First</c> is completed; <c>Sent</c> records every call's items.</summary>
    private static (GroupCommit<T, TResult> Commit, List<T[]> Sent, TaskCompletionSource First) HoldingFirstCall<T, TResult>(Func<T, TResult> answer, int maxBatch = 256, Func<T, object>? conflictKey = null)
    {
        var sent = new List<T[]>();
        var first = new TaskCompletionSource();
        var commit = new GroupCommit<T, TResult>(async batch =>
        {
            sent.Add([.. batch]);
            if (sent.Count == 1)
            {
                await first.Task; // the first call is still in flight while the others arrive
            }

            return batch.Select(answer).ToArray();
        }, maxBatch, conflictKey);
        return (commit, sent, first);
    }
}
