package nl.kansrijkestart.gateway.monitoring;

import java.util.ArrayList;
import java.util.List;
import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;

/**
 * The attacker, apart from the code under test: one unknown per count, month and
 * municipality (the country for a national count); every published cell of every period
 * and stratum fixes a sum of them; the relations and numerator ≤ denominator hold in each
 * month and municipality. It minimises and maximises every suppressed cell; a cell that
 * the solutions found so far already spread over k or more needs no program of its own.
 * Counts that no relation links are independent programs. It solves them with Google
 * OR-Tools' GLOP, another solver than the one disclosure control audits with.
 */
final class LinearAttack {

	/** What was published: a count, or null where it is masked. */
	interface Published {

		Long value(int count, int period, int stratum);

	}

	private final DisclosureControl.Year year;

	private final Published published;

	private final List<double[]> solutions = new ArrayList<>();

	private final int municipalities;

	private final int regions;

	private final MPSolver solver;

	private final List<MPVariable> variables = new ArrayList<>();

	private final long[] truths;

	private final boolean[] in;

	/**
	 * Every cell the attacker narrows below k (see {@link #recovered(int)}), over all
	 * published cells of the year.
	 */
	static List<String> recovered(DisclosureControl.Year year, Published published, int k) {
		List<DisclosureControl.Relation> relations = relations(year);
		int counts = year.counts().size();
		int[] block = new int[counts];
		java.util.Arrays.setAll(block, c -> c);
		boolean changed = true;
		while (changed) {
			changed = false;
			for (DisclosureControl.Relation r : relations) {
				int min = java.util.Arrays.stream(r.counts()).map(c -> block[c]).min().orElseThrow();
				for (int c : r.counts()) {
					changed |= block[c] != min;
					block[c] = min;
				}
			}
		}
		List<String> out = new ArrayList<>();
		for (int b : java.util.Arrays.stream(block).distinct().toArray()) {
			boolean[] in = new boolean[counts];
			for (int c = 0; c < counts; c++) {
				in[c] = block[c] == b;
			}
			out.addAll(new LinearAttack(year, published, in).recovered(k));
		}
		return out;
	}

	private static List<DisclosureControl.Relation> relations(DisclosureControl.Year year) {
		List<DisclosureControl.Relation> relations = new ArrayList<>(year.relations());
		for (int c = 0; c < year.counts().size(); c++) {
			if (year.counts().get(c).denominator() >= 0) {
				relations.add(new DisclosureControl.Relation(new int[] { c, year.counts().get(c).denominator() },
						new int[] { 1, -1 }, false));
			}
		}
		return relations;
	}

	private LinearAttack(DisclosureControl.Year year, Published published, boolean[] in) {
		Loader.loadNativeLibraries();
		solver = MPSolver.createSolver("GLOP");
		this.year = year;
		this.published = published;
		this.in = in;
		this.municipalities = year.geography().municipalities().size();
		this.regions = year.geography().regions().size();
		List<Long> truth = new ArrayList<>();
		for (int c = 0; c < year.counts().size(); c++) {
			if (!in[c]) {
				continue;
			}
			for (int m = 0; m < 12; m++) {
				for (int l = 0; l < leaves(c); l++) {
					variables.add(solver.makeNumVar(0, Double.POSITIVE_INFINITY, "x" + variables.size()));
					truth.add(year.counts().get(c).months()[m][l]);
				}
			}
		}
		truths = truth.stream().mapToLong(Long::longValue).toArray();
		// Bounded ten times above all counts together, so that GLOP finds an unbounded
		// cell at this bound.
		double bound = 10.0 * (1 + java.util.Arrays.stream(truths).sum());
		variables.forEach(v -> v.setUb(bound));
		// The true table is a solution.
		solutions.add(java.util.Arrays.stream(truths).asDoubleStream().toArray());
		for (int c = 0; c < year.counts().size(); c++) {
			for (int p = 0; p < DisclosureControl.PERIODS && in[c]; p++) {
				for (int s : strata(c)) {
					Long v = published.value(c, p, s);
					if (v != null) {
						MPConstraint e = solver.makeConstraint(v, v);
						for (int x : unknowns(c, p, s)) {
							e.setCoefficient(variables.get(x), 1);
						}
					}
				}
			}
		}
		for (DisclosureControl.Relation r : relations(year)) {
			if (!in[r.counts()[0]]) {
				continue;
			}
			for (int m = 0; m < 12; m++) {
				for (int l = 0; l < leaves(r.counts()[0]); l++) {
					MPConstraint e = solver.makeConstraint(r.equality() ? 0 : Double.NEGATIVE_INFINITY, 0);
					for (int j = 0; j < r.counts().length; j++) {
						e.setCoefficient(variables.get(index(r.counts()[j], m, l)), r.coefficients()[j]);
					}
				}
			}
		}
	}

	private int leaves(int count) {
		return year.counts().get(count).local() ? municipalities : 1;
	}

	int[] strata(int count) {
		int n = municipalities + regions + 1;
		if (!year.counts().get(count).local()) {
			return new int[] { n - 1 };
		}
		int[] all = new int[n];
		for (int i = 0; i < n; i++) {
			all[i] = i;
		}
		return all;
	}

	private int index(int count, int month, int leaf) {
		int index = 0;
		for (int c = 0; c < count; c++) {
			index += in[c] ? 12 * leaves(c) : 0;
		}
		return index + month * leaves(count) + leaf;
	}

	private int[] unknowns(int count, int period, int stratum) {
		List<Integer> months = new ArrayList<>();
		if (period < 12) {
			months.add(period);
		}
		else if (period < 16) {
			for (int m = 3 * (period - 12); m < 3 * (period - 12) + 3; m++) {
				months.add(m);
			}
		}
		else {
			for (int m = 0; m < 12; m++) {
				months.add(m);
			}
		}
		List<Integer> out = new ArrayList<>();
		for (int m : months) {
			if (!year.counts().get(count).local()) {
				out.add(index(count, m, 0));
				continue;
			}
			for (int l = 0; l < municipalities; l++) {
				boolean in = stratum == municipalities + regions || stratum == l
						|| stratum >= municipalities && year.geography().regionOf()[l] == stratum - municipalities;
				if (in) {
					out.add(index(count, m, l));
				}
			}
		}
		return out.stream().mapToInt(Integer::intValue).toArray();
	}

	/** The truth of a cell: the sum of its months and municipalities. */
	private long truth(int count, int period, int stratum) {
		long sum = 0;
		for (int x : unknowns(count, period, stratum)) {
			sum += truths[x];
		}
		return sum;
	}

	/**
	 * The sensitive cells the attacker narrows to fewer than k whole numbers: every
	 * masked cell of the publication grid (the country each period, a region each quarter
	 * and year, a municipality each year) that is a small count (1 to k−1) or a numerator
	 * that leaves one without the attribute, and every such small count just off the grid
	 * (a municipality's quarter, a region's month). Knowing a large masked count exactly
	 * discloses no one, nor a zero (zeros are published). Empty when none.
	 */
	private List<String> recovered(int k) {
		List<String> out = new ArrayList<>();
		int n = municipalities + regions + 1;
		for (int c = 0; c < year.counts().size(); c++) {
			for (int p = 0; p < DisclosureControl.PERIODS && in[c]; p++) {
				for (int s : strata(c)) {
					boolean grid = s == n - 1 || (s < municipalities ? p == DisclosureControl.YEAR : p >= 12);
					boolean nextToGrid = s < municipalities ? p >= 12 : p < 12;
					long truth = truth(c, p, s);
					int d = year.counts().get(c).denominator();
					boolean sensitive = DisclosureControl.small(truth, k)
							|| d >= 0 && truth > 0 && DisclosureControl.small(truth(d, p, s) - truth, k);
					if (published.value(c, p, s) != null || !sensitive || !grid && !nextToGrid) {
						continue;
					}
					long width = range(unknowns(c, p, s), k);
					if (width < k) {
						out.add(year.counts().get(c).name() + " period " + p + " stratum " + s
								+ (grid ? "" : " (off the grid)") + ": truth " + truth + ", range " + width);
					}
				}
			}
		}
		return out;
	}

	private long range(int[] cell, int k) {
		double seenLo = Double.POSITIVE_INFINITY;
		double seenHi = Double.NEGATIVE_INFINITY;
		for (double[] solution : solutions) {
			double v = 0;
			for (int x : cell) {
				v += solution[x];
			}
			seenLo = Math.min(seenLo, v);
			seenHi = Math.max(seenHi, v);
		}
		if (!solutions.isEmpty() && width(seenLo, seenHi) >= k) {
			return width(seenLo, seenHi);
		}
		double hi = optimum(cell, true);
		if (hi == Double.POSITIVE_INFINITY) {
			return Long.MAX_VALUE;
		}
		return width(optimum(cell, false), hi);
	}

	private static long width(double lo, double hi) {
		return (long) (Math.floor(hi + 1e-6) - Math.ceil(lo - 1e-6));
	}

	private double optimum(int[] cell, boolean maximise) {
		MPObjective objective = solver.objective();
		objective.clear();
		for (int v : cell) {
			objective.setCoefficient(variables.get(v), 1);
		}
		objective.setOptimizationDirection(maximise);
		MPSolver.ResultStatus status = solver.solve();
		if (status != MPSolver.ResultStatus.OPTIMAL) {
			// GLOP starts from the previous basis; from scratch once more before giving
			// up.
			solver.reset();
			status = solver.solve();
		}
		if (status != MPSolver.ResultStatus.OPTIMAL) {
			throw new IllegalStateException("the published table has no solution: " + status);
		}
		double[] solution = variables.stream().mapToDouble(MPVariable::solutionValue).toArray();
		solutions.add(solution);
		double sum = 0;
		for (int v : cell) {
			sum += solution[v];
		}
		return sum;
	}

}
