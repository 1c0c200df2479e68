using Tasks.Hangfire.Internal;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>Offset paging over a list other processes change between reads: nothing still listed is skipped, nothing comes twice.</summary>
public sealed class ShiftTolerantPagerTests
{
    [Theory]
    [InlineData(30)]  // fewer than the overlap leave between two reads
    [InlineData(180)] // more than the overlap: the reader steps back
    public void Items_leaving_before_the_cursor_shift_no_unread_item_out_of_view(int leavingPerRead)
    {
        var list = Enumerable.Range(1, 1_000).Select(i => i.ToString("D4")).ToList();
        var read = new List<string>();

        foreach (var page in ShiftTolerantPager.Pages(Fetch(list, () =>
        {
            // Workers take the oldest jobs, which this reader has already seen.
            var taken = list.Take(leavingPerRead).Where(read.Contains).ToHashSet();
            list.RemoveAll(taken.Contains);
        }), pageSize: 100, overlap: 50, length: list.Count))
        {
            read.AddRange(page.Select(p => p.Key));
        }

        Assert.Equal(1_000, read.Count);
        Assert.Equal(1_000, read.Distinct().Count());
    }

    [Fact]
    public void Items_added_before_the_cursor_come_out_once_or_not_at_all_and_shift_nothing_out_of_view()
    {
        var list = Enumerable.Range(1, 1_000).Select(i => i.ToString("D4")).ToList();
        var next = 0;
        var read = new List<string>();

        // Newest first (as Hangfire.PostgreSql lists scheduled jobs): new jobs arrive at the front, during the first reads.
        var reads = 0;
        foreach (var page in ShiftTolerantPager.Pages(Fetch(list, () => list.InsertRange(0, Enumerable.Range(0, reads++ < 8 ? 70 : 0).Select(_ => $"new{next++}"))), pageSize: 100, overlap: 50, length: list.Count))
        {
            read.AddRange(page.Select(p => p.Key));
        }

        Assert.Equal(read.Count, read.Distinct().Count());
        Assert.Empty(Enumerable.Range(1, 1_000).Select(i => i.ToString("D4")).Except(read));
    }

    [Fact]
    public void A_list_that_shrinks_to_nothing_ends_the_reading()
    {
        var list = Enumerable.Range(1, 300).Select(i => i.ToString("D4")).ToList();
        var pages = ShiftTolerantPager.Pages(Fetch(list, list.Clear), pageSize: 100, overlap: 10, length: list.Count).ToList();

        Assert.Single(pages);
    }

    [Fact]
    public void A_list_growing_before_the_cursor_faster_than_it_is_read_still_ends()
    {
        var list = Enumerable.Range(1, 1_000).Select(i => i.ToString("D4")).ToList();
        var next = 0;
        var reads = 0;

        var read = ShiftTolerantPager.Pages(Fetch(list, () => { reads++; list.InsertRange(0, Enumerable.Range(0, 200).Select(_ => $"new{next++}")); }), pageSize: 100, overlap: 50, length: list.Count)
            .SelectMany(p => p).Select(p => p.Key).ToList();

        Assert.Equal(read.Count, read.Distinct().Count());
        Assert.InRange(reads, 20, 2 * ((1_000 / 50) + 2) + ShiftTolerantPager.MaxStepBacks);
    }

    /// <summary>A page reader over <paramref name="list"/> that runs <paramref name="afterRead"/> after each read.</summary>
    private static Func<int, int, IReadOnlyList<KeyValuePair<string, int>>> Fetch(List<string> list, Action afterRead) => (from, count) =>
    {
        var page = list.Skip(from).Take(count).Select(id => new KeyValuePair<string, int>(id, 0)).ToList();
        afterRead();
        return page;
    };
}
