package nl.kansrijkestart.gateway.monitoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;

/**
 * Statistical disclosure control of all indicators of one calendar year at once
 * (docs/indicators.md). Every report is a slice of one table per year: each count of each
 * indicator (denominator, numerator, left out for consent) on the publication grid: the
 * country per month, quarter and year, each GGD region per quarter and year, each
 * municipality per year. Finer cells are not published, because their counts are too
 * small to show and each would add relations to protect.
 *
 * <p>
 * Primary: a count from 1 to k−1 is suppressed; a numerator also when the denominator
 * minus the numerator is (nearly everyone in the cell has the attribute), and whenever
 * its denominator is. A quick complementary pass over each count's additive relations
 * (country = sum of regions, region = sum of its municipalities, year = sum of quarters =
 * sum of months, quarter = sum of its months) leaves none with exactly one suppressed
 * term and makes the suppressed parts under a published total add up to k or more.
 *
 * <p>
 * Then the audit: someone who knows every published cell, every additive relation and
 * every relation between the counts ({@link Relation}, numerator ≤ denominator) can bound
 * a suppressed cell by linear programming. For each such cell the audit minimises and
 * maximises it under all of them; where fewer than k whole numbers lie between, it
 * suppresses a published cell next to it and audits again, until every sensitive
 * suppressed cell (a small count, a numerator that leaves one) keeps a range of k or
 * more. A program is over the suppressed cells nearest to one (published cells are
 * constants), and its solution also widens the known range of the others in it, which
 * then need no program of their own. The programs are solved with GLOP (Google OR-Tools),
 * about ten times faster here than a pure Java simplex; a year that needs more than
 * {@link #BUDGET} of them at one {@link Level} is published one level coarser.
 */
final class DisclosureControl {

	static final int PERIODS = 17;
	static final int YEAR = 16;

	/** The most suppressed cells one linear program of the audit solves for at once. */
	private static final int NEIGHBOURHOOD = 1000;

	/**
	 * Above this many narrow cells in a part, programs over all of them at once come
	 * first.
	 */
	private static final int BULK = 8;

	/** The most linear programs the audit of one level of a year may take. */
	static final int BUDGET = 2000;

	/**
	 * How many rings further than a cell of the country {@code widen} looks for a finer
	 * cell to suppress instead.
	 */
	private static final int COUNTRY_LAST = 3;

	/** Strata 0..m−1 are the municipalities, then the regions, then the country. */
	record Geography(List<String> municipalities, List<String> regions, int[] regionOf) {

		int strata() {
			return municipalities.size() + regions.size() + 1;
		}

		int national() {
			return strata() - 1;
		}

		String code(int stratum) {
			return stratum < municipalities.size() ? municipalities.get(stratum)
					: stratum == national() ? null : regions.get(stratum - municipalities.size());
		}
	}

	/**
	 * One count of the year, per month and municipality ({@code local}) or per month for
	 * the country only ({@code
	 * months[m][0]}). {@code denominator} is the index of the count it is a part of (its
	 * numerator is within it), or −1.
	 */
	record Count(String name, boolean local, int denominator, long[][] months) {
	}

	/**
	 * Σ coefficient × count ≤ 0, or = 0, in every month and municipality and so in every
	 * cell (relations.csv).
	 */
	record Relation(int[] counts, int[] coefficients, boolean equality) {
	}

	record Year(Geography geography, List<Count> counts, List<Relation> relations) {
	}

	/**
	 * What control did: cells suppressed first, by the quick pass, by the audit; linear
	 * programs solved.
	 */
	record Outcome(int primary, int complementary, int audited, int programs, Level level) {
	}

	/**
	 * How deep a year is published. A year too sparse to protect within {@link #BUDGET}
	 * linear programs at one level (the first days of a year, a small test set) is
	 * published one level coarser: its finer cells are all masked.
	 */
	enum Level {

		MUNICIPALITIES, REGIONS, COUNTRY

	}

	/**
	 * Whether municipalities are published for a period (0–11 months, 12–15 quarters, 16
	 * the year): per year only.
	 */
	static boolean publishesMunicipalities(int period) {
		return period == YEAR;
	}

	/** Whether GGD regions are published for a period: per quarter and year. */
	static boolean publishesRegions(int period) {
		return period >= 12;
	}

	/**
	 * The year after control: a cell's value, or null when it is suppressed (published as
	 * masked, never as zero).
	 */
	static final class Controlled {

		private final Table table;

		private final Outcome outcome;

		private Controlled(Table table, Outcome outcome) {
			this.table = table;
			this.outcome = outcome;
		}

		Outcome outcome() {
			return outcome;
		}

		Long value(int count, int period, int stratum) {
			int i = table.cell(count, period, stratum);
			return table.hidden[i] ? null : table.values[i];
		}

	}

	private DisclosureControl() {
	}

	static Controlled apply(Year year, int k) {
		return apply(year, k, BUDGET);
	}

	static Controlled apply(Year year, int k, int budget) {
		int spent = 0;
		for (Level level : Level.values()) {
			Table t = new Table(year, level);
			int primary = t.primary(k);
			int complementary = t.quickComplement(k);
			boolean last = level == Level.COUNTRY;
			if (t.audit(k, last ? Integer.MAX_VALUE : budget)) {
				return new Controlled(t, new Outcome(primary, complementary, t.suppressed() - primary - complementary,
						spent + t.programs, level));
			}
			spent += t.programs;
		}
		throw new IllegalStateException("unreachable: the country level has no budget");
	}

	static boolean small(long count, int k) {
		return count >= 1 && count < k;
	}

	/**
	 * Σ coefficient × cell ≤ 0, or = 0: one thing someone knows about the cells of the
	 * grid.
	 */
	private record Constraint(int[] cells, int[] coefficients, boolean equality, boolean additive) {
	}

	/**
	 * The year's cells, their true values, which are on the grid and which of those are
	 * suppressed.
	 */
	static final class Table {

		private final Year year;

		private final Geography geo;

		private final int strata;

		private final long[] values;

		private final boolean[] grid;

		private final boolean[] hidden;

		/**
		 * The cells to protect: a small count, or a numerator that leaves a small count
		 * without the attribute.
		 */
		private final boolean[] sensitive;

		private final List<int[]> additive = new ArrayList<>();

		private final List<Constraint> constraints = new ArrayList<>();

		private final Map<Integer, List<Constraint>> constraintsOf = new HashMap<>();

		/** Per stratum, the municipalities it sums. */
		private final int[][] leavesOf;

		private final int[] allStrata;

		private final int[] countryOnly;

		private int programs;

		private int budget;

		Table(Year year, Level level) {
			this.year = year;
			this.geo = year.geography();
			this.strata = geo.strata();
			int counts = year.counts().size();
			int municipalities = geo.municipalities().size();
			values = new long[counts * PERIODS * strata];
			grid = new boolean[values.length];
			hidden = new boolean[values.length];
			sensitive = new boolean[values.length];
			leavesOf = new int[strata][];
			allStrata = new int[strata];
			Arrays.setAll(allStrata, i -> i);
			countryOnly = new int[] { geo.national() };
			for (int s = 0; s < strata; s++) {
				List<Integer> in = new ArrayList<>();
				for (int l = 0; l < municipalities; l++) {
					if (s == l || s == geo.national()
							|| s >= municipalities && geo.regionOf()[l] == s - municipalities) {
						in.add(l);
					}
				}
				leavesOf[s] = in.stream().mapToInt(Integer::intValue).toArray();
			}
			// Each (month, municipality) count adds to the nine cells above it: its
			// month, quarter and year, each for the
			// municipality, its region and the country.
			for (int c = 0; c < counts; c++) {
				Count count = year.counts().get(c);
				for (int m = 0; m < 12; m++) {
					for (int l = 0; l < count.months()[m].length; l++) {
						int[] above = count.local()
								? new int[] { l, municipalities + geo.regionOf()[l], geo.national() }
								: new int[] { geo.national() };
						for (int p : new int[] { m, 12 + m / 3, YEAR }) {
							for (int s : above) {
								values[cell(c, p, s)] += count.months()[m][l];
							}
						}
					}
				}
				for (int p = 0; p < PERIODS; p++) {
					for (int s : stratumList(c)) {
						int i = cell(c, p, s);
						grid[i] = s == geo.national()
								|| (s < municipalities ? level == Level.MUNICIPALITIES && publishesMunicipalities(p)
										: level != Level.COUNTRY && publishesRegions(p));
						// Off the grid nothing is published.
						hidden[i] = !grid[i];
					}
				}
				additiveRelations(c);
			}
			for (int[] r : additive) {
				int[] coefficients = new int[r.length];
				Arrays.fill(coefficients, -1);
				coefficients[0] = 1;
				constrain(new Constraint(r, coefficients, true, true));
			}
			List<Relation> relations = new ArrayList<>(year.relations());
			for (int c = 0; c < counts; c++) {
				if (year.counts().get(c).denominator() >= 0) {
					relations.add(new Relation(new int[] { c, year.counts().get(c).denominator() }, new int[] { 1, -1 },
							false));
				}
			}
			for (Relation r : relations) {
				for (int p = 0; p < PERIODS; p++) {
					for (int s : stratumList(r.counts()[0])) {
						int[] cells = new int[r.counts().length];
						for (int j = 0; j < cells.length; j++) {
							cells[j] = cell(r.counts()[j], p, s);
						}
						if (grid[cells[0]]) {
							constrain(new Constraint(cells, r.coefficients(), r.equality(), false));
						}
					}
				}
			}
		}

		private void constrain(Constraint constraint) {
			constraints.add(constraint);
			for (int i : constraint.cells()) {
				constraintsOf.computeIfAbsent(i, x -> new ArrayList<>()).add(constraint);
			}
		}

		int cell(int count, int period, int stratum) {
			return (count * PERIODS + period) * strata + stratum;
		}

		private boolean local(int count) {
			return year.counts().get(count).local();
		}

		/** The strata a count is kept for. */
		private int[] stratumList(int count) {
			return local(count) ? allStrata : countryOnly;
		}

		int suppressed() {
			int n = 0;
			for (int i = 0; i < hidden.length; i++) {
				n += grid[i] && hidden[i] ? 1 : 0;
			}
			return n;
		}

		/**
		 * The count's additive relations between cells of the grid (those with a cell off
		 * it tell nothing).
		 */
		private void additiveRelations(int c) {
			int m = geo.municipalities().size();
			List<int[]> all = new ArrayList<>();
			if (local(c)) {
				for (int p = 0; p < PERIODS; p++) {
					List<Integer> national = new ArrayList<>(List.of(cell(c, p, geo.national())));
					for (int r = 0; r < geo.regions().size(); r++) {
						national.add(cell(c, p, m + r));
						List<Integer> region = new ArrayList<>(List.of(cell(c, p, m + r)));
						for (int s : leavesOf[m + r]) {
							region.add(cell(c, p, s));
						}
						all.add(region.stream().mapToInt(Integer::intValue).toArray());
					}
					all.add(national.stream().mapToInt(Integer::intValue).toArray());
				}
			}
			for (int s : stratumList(c)) {
				int[] monthsOfYear = new int[13];
				int[] quarters = new int[5];
				monthsOfYear[0] = quarters[0] = cell(c, YEAR, s);
				for (int month = 0; month < 12; month++) {
					monthsOfYear[month + 1] = cell(c, month, s);
				}
				for (int q = 0; q < 4; q++) {
					quarters[q + 1] = cell(c, 12 + q, s);
					all.add(new int[] { cell(c, 12 + q, s), cell(c, 3 * q, s), cell(c, 3 * q + 1, s),
							cell(c, 3 * q + 2, s) });
				}
				all.add(monthsOfYear);
				all.add(quarters);
			}
			for (int[] r : all) {
				if (Arrays.stream(r).allMatch(i -> grid[i])) {
					additive.add(r);
				}
			}
		}

		int primary(int k) {
			int n = 0;
			for (int c = 0; c < year.counts().size(); c++) {
				int d = year.counts().get(c).denominator();
				for (int p = 0; p < PERIODS; p++) {
					for (int s : stratumList(c)) {
						int i = cell(c, p, s);
						if (!grid[i]) {
							continue;
						}
						// A zero is not: "none" is published.
						sensitive[i] = small(values[i], k)
								|| d >= 0 && values[i] > 0 && small(values[cell(d, p, s)] - values[i], k);
						// A numerator goes with a suppressed denominator: the score would
						// tell it.
						hidden[i] = sensitive[i] || d >= 0 && small(values[cell(d, p, s)], k);
						n += hidden[i] ? 1 : 0;
					}
				}
			}
			return n;
		}

		/**
		 * The quick pass over each count's additive relations, and numerators with their
		 * denominators, until stable.
		 */
		int quickComplement(int k) {
			int n = 0;
			boolean changed = true;
			while (changed) {
				changed = false;
				for (int[] r : additive) {
					if (complement(r, k)) {
						changed = true;
						n++;
					}
				}
				for (int c = 0; c < year.counts().size(); c++) {
					int d = year.counts().get(c).denominator();
					if (d < 0) {
						continue;
					}
					for (int p = 0; p < PERIODS; p++) {
						for (int s : stratumList(c)) {
							if (grid[cell(c, p, s)] && hidden[cell(d, p, s)] && !hidden[cell(c, p, s)]) {
								hidden[cell(c, p, s)] = true;
								changed = true;
								n++;
							}
						}
					}
				}
			}
			return n;
		}

		private boolean complement(int[] r, int k) {
			int masked = 0;
			long maskedParts = 0;
			for (int j = 0; j < r.length; j++) {
				if (hidden[r[j]]) {
					masked++;
					maskedParts += j == 0 ? 0 : values[r[j]];
				}
			}
			boolean loneTerm = masked == 1;
			boolean smallParts = !hidden[r[0]] && masked >= 1 && maskedParts < k;
			if (!loneTerm && !smallParts) {
				return false;
			}
			int pick = -1;
			for (int j = 1; j < r.length; j++) {
				if (!hidden[r[j]] && (pick < 0 || better(r[j], pick, k))) {
					pick = r[j];
				}
			}
			if (pick < 0 && !hidden[r[0]]) {
				pick = r[0];
			}
			if (pick < 0) {
				return false;
			}
			hidden[pick] = true;
			return true;
		}

		/**
		 * How much a cell tells, to suppress the finest first: a municipality's year
		 * before a region's quarter, …, the country's year last.
		 */
		private int coarseness(int cell) {
			int stratum = cell % strata;
			int period = cell / strata % PERIODS;
			int level = stratum < geo.municipalities().size() ? 0 : stratum == geo.national() ? 2 : 1;
			return 3 * level + (period < 12 ? 0 : period < YEAR ? 1 : 2);
		}

		/** A cell with room for k (the smallest such), else the largest; zeros last. */
		private boolean better(int candidate, int current, int k) {
			long a = values[candidate];
			long b = values[current];
			if ((a == 0) != (b == 0)) {
				return a != 0;
			}
			if ((a >= k) != (b >= k)) {
				return a >= k;
			}
			return a >= k ? a < b : a > b;
		}

		/**
		 * Audits until every sensitive suppressed cell keeps a range of k or more whole
		 * numbers against all that is known; false when that takes more than
		 * {@code budget} linear programs. Suppressing more only widens the ranges (the
		 * table's true values stay a solution), so a cell once found wide stays so, and
		 * every solution found keeps counting.
		 */
		boolean audit(int k, int budget) {
			this.budget = budget;
			Loader.loadNativeLibraries();
			double[] lo = new double[values.length];
			double[] hi = new double[values.length];
			for (int i = 0; i < values.length; i++) {
				lo[i] = hi[i] = values[i];
			}
			while (true) {
				boolean[] done = new boolean[values.length];
				for (int i = 0; i < hidden.length; i++) {
					if (grid[i] && hidden[i] && !done[i] && narrow(i, k, lo, hi)) {
						List<Integer> part = part(i);
						part.forEach(x -> done[x] = true);
						check(part, k, lo, hi);
						if (programs >= budget) {
							return false;
						}
					}
				}
				List<Integer> narrow = new ArrayList<>();
				for (int i = 0; i < hidden.length; i++) {
					if (grid[i] && hidden[i] && narrow(i, k, lo, hi)) {
						narrow.add(i);
					}
				}
				boolean widened = false;
				for (int i : narrow) {
					widened |= widen(i, k);
				}
				// A narrow cell with nothing published anywhere it connects to: all its
				// constraints are homogeneous, so its
				// true values scaled up are a solution too, and the cell is unbounded, or
				// zero (publishable).
				if (!widened) {
					return true;
				}
				quickComplement(k);
			}
		}

		/**
		 * The suppressed cells nearest to one, breadth first over the constraints, at
		 * most {@code NEIGHBOURHOOD}.
		 */
		private List<Integer> part(int cell) {
			List<Integer> free = new ArrayList<>(List.of(cell));
			java.util.Set<Integer> in = new java.util.HashSet<>(free);
			for (int next = 0; next < free.size() && free.size() < NEIGHBOURHOOD; next++) {
				for (Constraint c : constraintsOf.getOrDefault(free.get(next), List.of())) {
					for (int i : c.cells()) {
						if (hidden[i] && grid[i] && free.size() < NEIGHBOURHOOD && in.add(i)) {
							free.add(i);
						}
					}
				}
			}
			return free;
		}

		/**
		 * Bounds each narrow suppressed cell of a part by linear programming, the cells
		 * outside it held at their true values (holding cells can only narrow the ranges,
		 * so a range found wide is wide against all that is known). One model per part;
		 * GLOP starts each program from the previous one's basis.
		 */
		private void check(List<Integer> free, int k, double[] lo, double[] hi) {
			Map<Integer, Integer> index = new HashMap<>();
			for (int j = 0; j < free.size(); j++) {
				index.put(free.get(j), j);
			}
			MPSolver solver = MPSolver.createSolver("GLOP");
			try {
				// Bounded far above the true counts, so that an unbounded cell shows as
				// one that reaches the bound.
				long sum = 1;
				for (int i : free) {
					sum += values[i];
				}
				MPVariable[] x = new MPVariable[free.size()];
				for (int j = 0; j < x.length; j++) {
					x[j] = solver.makeNumVar(0, 10.0 * sum + 10.0 * k, "x" + j);
				}
				java.util.Set<Constraint> used = new java.util.LinkedHashSet<>();
				for (int i : free) {
					used.addAll(constraintsOf.getOrDefault(i, List.of()));
				}
				for (Constraint c : used) {
					long known = 0;
					for (int j = 0; j < c.cells().length; j++) {
						if (!index.containsKey(c.cells()[j])) {
							known += c.coefficients()[j] * values[c.cells()[j]];
						}
					}
					MPConstraint e = solver.makeConstraint(c.equality() ? -known : Double.NEGATIVE_INFINITY, -known);
					for (int j = 0; j < c.cells().length; j++) {
						Integer variable = index.get(c.cells()[j]);
						if (variable != null) {
							e.setCoefficient(x[variable], e.getCoefficient(x[variable]) + c.coefficients()[j]);
						}
					}
				}
				MPObjective objective = solver.objective();
				// First all narrow cells at once, up and down, with random weights: a
				// solution then puts the mass of each
				// relation where the weights lead, which widens many cells per program,
				// while that still pays.
				java.util.Random weights = new java.util.Random(free.get(0));
				List<Integer> narrow = narrow(free, k, lo, hi);
				while (narrow.size() > BULK && programs < budget) {
					for (boolean maximise : new boolean[] { true, false }) {
						objective.clear();
						for (int cell : narrow) {
							objective.setCoefficient(x[index.get(cell)], 0.5 + weights.nextDouble());
						}
						solve(solver, objective, maximise, x, free, lo, hi);
					}
					List<Integer> left = narrow(free, k, lo, hi);
					boolean paid = left.size() < narrow.size() - narrow.size() / 10;
					narrow = left;
					if (!paid) {
						break;
					}
				}
				for (int cell : narrow) {
					for (boolean maximise : new boolean[] { true, false }) {
						if (!narrow(cell, k, lo, hi) || programs >= budget) {
							break;
						}
						objective.clear();
						objective.setCoefficient(x[index.get(cell)], 1);
						solve(solver, objective, maximise, x, free, lo, hi);
					}
				}
			}
			finally {
				solver.delete();
			}
		}

		private List<Integer> narrow(List<Integer> cells, int k, double[] lo, double[] hi) {
			return cells.stream().filter(i -> narrow(i, k, lo, hi)).toList();
		}

		/**
		 * A sensitive cell known to fewer than k whole numbers. The others suppressed
		 * beside need no range of their own: knowing one exactly (a region's 409 births)
		 * discloses no one, and every sensitive cell's range is bounded with all of them
		 * free. Asking it of them too masked nearly every cell of a small year.
		 */
		private boolean narrow(int cell, int k, double[] lo, double[] hi) {
			return sensitive[cell] && width(lo[cell], hi[cell]) < k;
		}

		/**
		 * A solution is a table that publishes the same: each of its values widens what
		 * is known of that cell.
		 */
		private void solve(MPSolver solver, MPObjective objective, boolean maximise, MPVariable[] x, List<Integer> free,
				double[] lo, double[] hi) {
			objective.setOptimizationDirection(maximise);
			programs++;
			MPSolver.ResultStatus status = solver.solve();
			if (status != MPSolver.ResultStatus.OPTIMAL) {
				// From scratch once more, not from the previous basis.
				solver.reset();
				status = solver.solve();
			}
			if (status != MPSolver.ResultStatus.OPTIMAL) {
				throw new IllegalStateException(
						"The year's counts break a relation between the indicators (relations.csv): " + status);
			}
			for (int j = 0; j < x.length; j++) {
				double v = x[j].solutionValue();
				lo[free.get(j)] = Math.min(lo[free.get(j)], v);
				hi[free.get(j)] = Math.max(hi[free.get(j)], v);
			}
		}

		/**
		 * The whole numbers from the smallest to the largest value, less one: the room an
		 * attacker is left.
		 */
		private static double width(double lo, double hi) {
			return hi == Double.POSITIVE_INFINITY ? hi : Math.floor(hi + 1e-6) - Math.ceil(lo - 1e-6);
		}

		/** How far the true table is from making a constraint tight. */
		private long slack(Constraint c) {
			long sum = 0;
			for (int j = 0; j < c.cells().length; j++) {
				sum += c.coefficients()[j] * values[c.cells()[j]];
			}
			return -sum;
		}

		/**
		 * Suppresses the published cell nearest to a too narrow one: one that shares a
		 * constraint with it, the additive relations' first (room for k, the smallest
		 * such), else one that shares a constraint with a suppressed cell that does, and
		 * so on; a cell of the country only when no finer one is found a few rings
		 * further. False when none is left.
		 */
		private boolean widen(int narrow, int k) {
			// Counts nearly equal to it by a relation (a slack under k) pin it wherever
			// they are published: they go with it.
			boolean twins = false;
			for (Constraint c : constraintsOf.getOrDefault(narrow, List.of())) {
				if (!c.additive() && slack(c) < k) {
					for (int i : c.cells()) {
						twins |= !hidden[i];
						hidden[i] = true;
					}
				}
			}
			if (twins) {
				return true;
			}
			java.util.Set<Integer> seen = new java.util.HashSet<>(List.of(narrow));
			List<Integer> ring = List.of(narrow);
			// The country's cells are what monitoring is for: one is suppressed only if
			// no finer cell is found near.
			int country = -1;
			for (int depth = 0; !ring.isEmpty(); depth++) {
				if (country >= 0 && depth > COUNTRY_LAST) {
					break;
				}
				List<Integer> next = new ArrayList<>();
				for (boolean additiveOnly : new boolean[] { true, false }) {
					int pick = -1;
					for (int h : ring) {
						for (Constraint c : constraintsOf.getOrDefault(h, List.of())) {
							if (additiveOnly && !c.additive()) {
								continue;
							}
							for (int i : c.cells()) {
								if (!hidden[i] && (pick < 0 || coarseness(i) < coarseness(pick)
										|| coarseness(i) == coarseness(pick) && better(i, pick, k))) {
									pick = i;
								}
							}
						}
					}
					if (pick >= 0 && pick % strata == geo.national()) {
						country = country < 0 || coarseness(pick) < coarseness(country) ? pick : country;
					}
					else if (pick >= 0) {
						hidden[pick] = true;
						return true;
					}
				}
				for (int h : ring) {
					for (Constraint c : constraintsOf.getOrDefault(h, List.of())) {
						for (int i : c.cells()) {
							if (seen.add(i)) {
								next.add(i);
							}
						}
					}
				}
				ring = next;
			}
			if (country >= 0) {
				hidden[country] = true;
			}
			return country >= 0;
		}

	}

}
