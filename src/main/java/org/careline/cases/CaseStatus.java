package org.careline.cases;

/** Where a case stands, as the back office reports it; {@link #label()} is what a family reads. */
public enum CaseStatus {
    RECEIVED("已受理，等待工作人员联系"),
    IN_REVIEW("工作人员正在核实"),
    NEED_PAPERS("需要补充材料"),
    REFERRED("已转交救助保护中心"),
    APPROVED("已办理"),
    DECLINED("未能办理"),
    CLOSED("已结束");

    private final String label;

    CaseStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
